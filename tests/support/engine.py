"""A stand-in Docker engine on a unix socket that accepts every registry login: what the
login's checks need (``GET /version``, ``POST /auth``), no more. It records each request's
method and path, for tests that count them."""

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
        self._record()
        reply_json(self, {"ApiVersion": "1.45", "Version": "26.1.5"})

    def do_POST(self) -> None:
        self._record()
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply_json(self, {"Status": "Login Succeeded"} if self.path.endswith("/auth") else {})

    def _record(self) -> None:
        assert isinstance(self.server, _Server)
        self.server.requests.append(f"{self.command} {self.path}")

    def address_string(self) -> str:  # a unix socket's peer has no address
        return "engine-client"

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    requests: list[str]


@contextmanager
def accepting_engine(path: Path, requests: list[str] | None = None) -> Iterator[str]:
    """The engine on ``path``; its ``DOCKER_HOST``. Each request it answers is added to
    ``requests`` as its method and path (``GET /version``, ``POST /v1.45/auth``)."""
    server = _Server(str(path), _Engine)
    server.requests = requests if requests is not None else []
    with running(server):
        yield f"unix://{path}"
