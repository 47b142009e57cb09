"""A local artifact service for the tests: the v4 Twirp calls and an Azure-style blob store,
on 127.0.0.1 in a thread (``http.server``), as strict as the real ones where it matters.

- Twirp calls need ``Authorization: Bearer <token>`` and JSON bodies with only the fields the
  v4 protocol defines (act's server refuses unknown ones with a 500 and no body).
- Blob requests need the signature the upload URL carries and must **not** carry the token.
- ``FinalizeArtifact`` checks the size and SHA-256 against the blocks committed.
- ``faults`` makes the next requests to a path fail: ``{"CreateArtifact": [503]}``; a 3xx
  fault redirects to ``/elsewhere``.
- ``camel_case`` answers as act does (``signedUploadUrl``, ``artifactId`` as a string).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SERVICE = "/twirp/github.actions.results.api.v1.ArtifactService/"
# A SAS signature as Azure puts it in the URL: base64, percent-encoded. A client that parses
# and re-encodes the signed query would send another signature.
SIGNATURE = "c2lnbmF0dXJl+/="
SIGNATURE_IN_URL = "c2lnbmF0dXJl%2B%2F%3D"
_FIELDS = {
    "CreateArtifact": {
        "workflow_run_backend_id", "workflow_job_run_backend_id", "name", "version", "expires_at",
    },
    "FinalizeArtifact": {
        "workflow_run_backend_id", "workflow_job_run_backend_id", "name", "size", "hash",
    },
}  # fmt: skip


@dataclass
class Artifact:
    name: str
    request: dict[str, Any]
    blocks: dict[str, bytes] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str = ""
    artifact_id: int | None = None


@dataclass
class ArtifactServer:
    token: str
    url: str = ""
    camel_case: bool = False
    faults: dict[str, list[int]] = field(default_factory=dict)
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    # (method, path, query keys, whether it carried Authorization), in order
    requests: list[tuple[str, str, tuple[str, ...], bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fault(self, key: str) -> int | None:
        with self.lock:
            pending = self.faults.get(key)
            return pending.pop(0) if pending else None


def _handler(server: ArtifactServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes = b"", content_type: str = "") -> None:
            self.send_response(status)
            if 300 <= status < 400:  # a fault that redirects: where would the token go?
                self.send_header("Location", f"{server.url}/elsewhere")
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, message: dict[str, Any]) -> None:
            self._answer(200, json.dumps(message).encode(), "application/json")

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def _record(self) -> tuple[str, dict[str, list[str]]]:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            authorized = "Authorization" in self.headers
            server.requests.append((self.command, parts.path, tuple(query), authorized))
            return parts.path, query

        def do_POST(self) -> None:
            path, _ = self._record()
            body = self._body()
            method = path.removeprefix(SERVICE)
            if not path.startswith(SERVICE) or method not in _FIELDS:
                self._answer(404)
                return
            if (status := server.fault(method)) is not None:
                self._answer(status, b'{"code":"unavailable","msg":"try later"}')
                return
            if self.headers.get("Authorization") != f"Bearer {server.token}":
                self._answer(401, b'{"code":"unauthenticated","msg":"bad token"}')
                return
            message = json.loads(body)
            if set(message) - _FIELDS[method] or self.headers.get("Content-Type") != (
                "application/json"
            ):
                self._answer(500)  # act: "Error decode request body", no body
                return
            if method == "CreateArtifact":
                self._create(message)
            else:
                self._finalize(message)

        def _create(self, message: dict[str, Any]) -> None:
            name = message["name"]
            server.artifacts[name] = Artifact(name, message)
            url = f"{server.url}/blob/{name}?sig={SIGNATURE_IN_URL}&se=2099-01-01"
            key = "signedUploadUrl" if server.camel_case else "signed_upload_url"
            self._json({"ok": True, key: url})

        def _finalize(self, message: dict[str, Any]) -> None:
            found = server.artifacts.get(message["name"])
            content = found.content if found else None
            if found is None or content is None:
                self._answer(404, b'{"code":"not_found","msg":"no such artifact"}')
                return
            digest = "sha256:" + hashlib.sha256(content).hexdigest()
            if message["size"] != str(len(content)) or message["hash"] != digest:
                self._answer(400, b'{"code":"invalid_argument","msg":"size or hash differ"}')
                return
            found.artifact_id = 4000 + len(server.artifacts)
            if server.camel_case:
                self._json({"ok": True, "artifactId": str(found.artifact_id)})
            else:
                self._json({"ok": True, "artifact_id": found.artifact_id})

        def do_PUT(self) -> None:
            path, query = self._record()
            body = self._body()
            name = path.removeprefix("/blob/")
            found = server.artifacts.get(name)
            if (status := server.fault("blob")) is not None:
                self._answer(status, b"<Error>secret-bearing echo</Error>")
                return
            if found is None or query.get("sig") != [SIGNATURE]:
                self._answer(403, b"<Error><Code>AuthenticationFailed</Code></Error>")
                return
            if "Authorization" in self.headers:
                self._answer(400, b"<Error>the blob store takes no token</Error>")
                return
            comp = query.get("comp", [""])[0]
            if comp == "block":
                found.blocks[query["blockid"][0]] = body
                self._answer(201)
            elif comp == "blocklist":
                ids = re.findall(r"<Latest>([^<]*)</Latest>", body.decode())
                if any(i not in found.blocks for i in ids):
                    self._answer(400, b"<Error><Code>InvalidBlockList</Code></Error>")
                    return
                found.content = b"".join(found.blocks[i] for i in ids)
                found.content_type = self.headers.get("x-ms-blob-content-type", "")
                self._answer(201)
            else:
                self._answer(400, b"<Error><Code>InvalidQueryParameterValue</Code></Error>")

    return Handler


@contextmanager
def running(token: str, *, camel_case: bool = False) -> Iterator[ArtifactServer]:
    state = ArtifactServer(token, camel_case=camel_case)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def runtime_token(scope: str = "Actions.Results:run-backend-1:job-backend-2") -> str:
    """A JWT as the runner hands it out (unsigned here: only the claims are read)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'scp': scope})}.c2lnbmF0dXJl"
