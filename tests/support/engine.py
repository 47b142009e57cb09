"""A stand-in Docker engine on a unix socket that accepts every registry login: what the
login's checks need (``GET /version``, ``POST /auth``), no more."""

from __future__ import annotations

import socketserver
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from support.http import reply_json, running


class _Engine(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        reply_json(self, {"ApiVersion": "1.45", "Version": "26.1.5"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply_json(self, {"Status": "Login Succeeded"} if self.path.endswith("/auth") else {})

    def address_string(self) -> str:  # a unix socket's peer has no address
        return "engine-client"

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@contextmanager
def accepting_engine(path: Path) -> Iterator[str]:
    """The engine on ``path``; its ``DOCKER_HOST``."""
    with running(_Server(str(path), _Engine)):
        yield f"unix://{path}"
