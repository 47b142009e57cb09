"""Local stand-ins for the job's OIDC token endpoint (``ACTIONS_ID_TOKEN_REQUEST_URL``) and
Docker's identity service (``/oauth/token``), recording what they are asked and answering
from a script."""

from __future__ import annotations

import contextlib
import ssl
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support.http import reply_json, running

REQUEST_TOKEN = "runner-request-token-Zq7"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJl"


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Script:
    """The identity service's answers, in turn (the last one repeats), the OIDC token
    endpoint's answer to a request with the right token, and what they were asked: the OIDC
    token requests (their query, and their path as sent) and the token exchanges (their form).
    ``redirect``: where the OIDC token endpoint sends every request instead (a 302)."""

    answers: list[Answer] = field(
        default_factory=lambda: [Answer(200, {"access_token": "hub-token-Zq7"})]
    )
    id_answer: Answer = field(default_factory=lambda: Answer(200, {"value": ID_TOKEN}))
    id_requests: list[dict[str, list[str]]] = field(default_factory=list)
    id_paths: list[str] = field(default_factory=list)
    exchanges: list[dict[str, list[str]]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    redirect: str = ""


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, answer: Answer) -> None:
            reply_json(self, answer.body, answer.status, answer.headers)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            script.authorizations.append(self.headers.get("Authorization", ""))
            script.id_requests.append(urllib.parse.parse_qs(url.query))
            script.id_paths.append(self.path)
            if script.redirect:
                self._send(Answer(302, "", {"Location": script.redirect}))
                return
            if self.headers.get("Authorization") != f"bearer {REQUEST_TOKEN}":
                self._send(Answer(401, {"message": "bad request token"}))
                return
            self._send(script.id_answer)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            script.exchanges.append(form)
            index = min(len(script.exchanges), len(script.answers)) - 1
            self._send(script.answers[index])

    return Handler


@contextlib.contextmanager
def serving(
    script: Script, host: str = "127.0.0.1", port: int = 0, context: ssl.SSLContext | None = None
) -> Iterator[str]:
    """Both stand-ins on one server (GET: the OIDC token, POST: the exchange): its URL."""
    family = ThreadingHTTPServer
    if ":" in host:
        import socket  # noqa: PLC0415

        class V6(ThreadingHTTPServer):
            address_family = socket.AF_INET6

        family = V6
    server = family((host, port), _handler(script))
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if context else "http"
    shown = f"[{host}]" if ":" in host else host
    with running(server):
        yield f"{scheme}://{shown}:{server.server_address[1]}"
