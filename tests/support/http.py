"""What the tests' local HTTP stand-ins have in common: a JSON answer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler


def reply_json(
    handler: BaseHTTPRequestHandler,
    body: object,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> None:
    """``body`` as the answer, JSON unless it is text already, with its length."""
    data = (body if isinstance(body, str) else json.dumps(body)).encode()
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
