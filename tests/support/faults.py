"""A fault-injecting TLS proxy in front of a test registry, on this machine only.

It terminates TLS with the stack's server certificate (whose names include the registry's),
reads the first HTTP request of each connection and either answers it with a fault or
forwards the connection, bytes as they come, to the real registry. Clients reuse a connection
for many requests, so only the first request of a connection can get a fault; after a fault
the connection is closed and the client's retry opens a new one.

Faults go to connections whose first request matches ``target``: ``login`` is the engine's
``GET /v2/`` with credentials, ``push`` any request under ``/v2/<repo>/``. They are handed
out from ``faults`` in order, then, when ``outage`` is set, to every matching connection until
``outage`` seconds after the first fault (BuildKit retries each blob by itself for about 7 s,
so only a longer outage reaches the action's own retries).

The engine asks ``GET /v2/`` without credentials first and sends the credentials on the same
connection; in ``login`` mode the proxy answers that first question itself (the registry's own
``401`` challenge, then it closes), so the request with credentials opens a connection of its
own. Bounded on purpose: at most ``max_connections`` connections are served and the proxy
stops by itself after ``lifetime`` seconds.

It listens on ``listener`` when given (a bound socket: the stack's registries live in a network
namespace of their own, and the proxy must answer under a registry's name), else on ``[::1]``.
It reaches the registry as ``upstream_host``, whose certificate must name it.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Fault(Enum):
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    TOO_MANY = "429"
    RESET = "reset"


class Target(Enum):
    LOGIN = "login"
    PUSH = "push"


_STATUS = {
    Fault.BAD_GATEWAY: b"502 Bad Gateway",
    Fault.UNAVAILABLE: b"503 Service Unavailable",
    Fault.TOO_MANY: b"429 Too Many Requests",
}


@dataclass
class FaultProxy:
    upstream_port: int
    cert: Path
    key: Path
    ca: Path
    target: Target
    faults: Sequence[Fault] = ()
    outage: tuple[Fault, float] | None = None
    realm: str = ""
    upstream_host: str = "::1"
    listener: socket.socket | None = None
    retry_after: int = 1
    max_connections: int = 400
    lifetime: float = 300.0
    port: int = 0
    injected: Counter[Fault] = field(default_factory=Counter)
    requests: list[str] = field(default_factory=list)  # first request line of each connection
    _pending: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._pending = list(self.faults)
        self._outage_end = 0.0
        self._server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server_tls.load_cert_chain(self.cert, self.key)
        self._client_tls = ssl.create_default_context(cafile=str(self.ca))
        if self.listener is None:
            self.listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listener.bind(("::1", self.port))
        self._listener = self.listener
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._deadline = time.monotonic() + self.lifetime
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        served = 0
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            if served >= self.max_connections:
                break
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            served += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _next_fault(self, request_line: str, with_credentials: bool) -> Fault | None:
        method, _, rest = request_line.partition(" ")
        path = rest.partition(" ")[0]
        is_ping = method == "GET" and path == "/v2/"
        if self.target is Target.LOGIN:
            wanted = is_ping and with_credentials
        else:
            wanted = path.startswith("/v2/") and not is_ping
        with self._lock:
            self.requests.append(request_line)
            if not wanted:
                return None
            fault: Fault | None = None
            if self._pending:
                fault = self._pending.pop(0)
            elif self.outage is not None:
                kind, seconds = self.outage
                self._outage_end = self._outage_end or time.monotonic() + seconds
                fault = kind if time.monotonic() < self._outage_end else None
            if fault is not None:
                self.injected[fault] += 1
            return fault

    def _handle(self, raw: socket.socket) -> None:
        # A client that gives up mid-answer is part of the game, not an error of the proxy.
        with contextlib.suppress(OSError):
            self._handle_connection(raw)

    def _handle_connection(self, raw: socket.socket) -> None:
        raw.settimeout(30)
        try:
            conn = self._server_tls.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        with contextlib.closing(conn):
            head = _read_head(conn)
            if head is None:
                return
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            has_auth = any(ln.lower().startswith("authorization:") for ln in lines[1:])
            if self.target is Target.LOGIN and lines[0].startswith("GET /v2/ ") and not has_auth:
                conn.sendall(
                    b"HTTP/1.1 401 Unauthorized\r\n"
                    + f'WWW-Authenticate: Basic realm="{self.realm}"\r\n'.encode()
                    + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
                return
            fault = self._next_fault(lines[0], has_auth)
            if fault is Fault.RESET:
                # SO_LINGER 0: close() sends a TCP RST instead of a FIN.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if fault is not None:
                body = b"fault injected by the test proxy\n"
                too_many = fault is Fault.TOO_MANY
                retry = b"Retry-After: %d\r\n" % self.retry_after if too_many else b""
                conn.sendall(
                    b"HTTP/1.1 " + _STATUS[fault] + b"\r\n" + retry
                    + b"Content-Type: text/plain\r\nConnection: close\r\n"
                    + b"Content-Length: %d\r\n\r\n" % len(body) + body
                )  # fmt: skip
                return
            self._forward(conn, head)

    def _forward(self, conn: ssl.SSLSocket, head: bytes) -> None:
        try:
            up_raw = socket.create_connection((self.upstream_host, self.upstream_port), timeout=30)
            up = self._client_tls.wrap_socket(up_raw, server_hostname=self.upstream_host)
        except OSError:
            return
        with contextlib.closing(up):
            up.sendall(head)
            for src, dst in _pairs(conn, up):
                if not _pump(src, dst):
                    return


def _pairs(a: ssl.SSLSocket, b: ssl.SSLSocket) -> Iterator[tuple[ssl.SSLSocket, ssl.SSLSocket]]:
    while True:
        # SSL sockets may hold decrypted bytes that select() cannot see.
        ready = [s for s in (a, b) if s.pending()]
        if not ready:
            ready, _, _ = select.select([a, b], [], [], 30)
            if not ready:
                return
        for src in ready:
            yield src, (b if src is a else a)


def _pump(src: ssl.SSLSocket, dst: ssl.SSLSocket) -> bool:
    try:
        data = src.recv(65536)
        if not data:
            return False
        dst.sendall(data)
    except (OSError, ssl.SSLError):
        return False
    return True


def _read_head(conn: ssl.SSLSocket) -> bytes | None:
    """The bytes read up to and including the first request's headers (maybe more)."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = conn.recv(65536)
        except (OSError, ssl.SSLError):
            return None
        if not chunk or len(data) > 1 << 20:
            return None
        data += chunk
    return data


@contextlib.contextmanager
def running(proxy: FaultProxy) -> Iterator[FaultProxy]:
    try:
        yield proxy
    finally:
        proxy.close()
