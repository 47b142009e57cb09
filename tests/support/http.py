"""What the tests' local HTTP stand-ins have in common: a JSON answer, and a server run on
a thread of its own."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import TypeVar

Server = TypeVar("Server", bound=socketserver.BaseServer)


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


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server`` serving on a daemon thread for the block; shut down and closed after it."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
