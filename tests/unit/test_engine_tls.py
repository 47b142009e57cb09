"""The registry login's checks reach the engine as the docker CLI would in the same
environment: ``DOCKER_HOST`` with the TLS that ``DOCKER_TLS_VERIFY`` / ``DOCKER_CERT_PATH``
ask for, or a Docker context. The engine here is a loopback listener that records every byte
it receives and, when spoken to in plain HTTP, answers as an engine would, so a password
sent in clear is seen."""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from build_push_py.errors import EngineError
from build_push_py.registry import engine
from build_push_py.registry.method import Credential

PASSWORD = "engine-tls-password-" + "x" * 8
T = TypeVar("T")
LOGIN = Credential("registry.test", "user", PASSWORD)


def _once(fn: Callable[[], T], what: str) -> T:
    return fn()


def _certs(directory: Path) -> Path:
    """A CA, a client certificate (cert.pem, key.pem, ca.pem: a DOCKER_CERT_PATH) and a
    server certificate for 127.0.0.1, made with openssl."""
    directory.mkdir(parents=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    (directory / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for argv in (
        ["req", "-x509", *ec, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "1",
         "-subj", "/CN=test-ca"],
        ["req", *ec, "-keyout", "key.pem", "-out", "c.csr", "-subj", "/CN=client"],
        ["x509", "-req", "-in", "c.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
         "-CAcreateserial", "-out", "cert.pem", "-days", "1"],
        ["req", *ec, "-keyout", "server-key.pem", "-out", "s.csr", "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", "s.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
         "-CAcreateserial", "-out", "server-cert.pem", "-days", "1", "-extfile", "ext"],
    ):  # fmt: skip
        subprocess.run(["openssl", *argv], cwd=directory, check=True, capture_output=True)
    return directory


@dataclass
class Engine:
    """What the listener received: every chunk read (decrypted, when it speaks TLS)."""

    port: int
    received: list[bytes] = field(default_factory=list)
    connections: int = 0

    @property
    def everything(self) -> bytes:
        return b"".join(self.received)


def _answer(conn: socket.socket, engine: Engine) -> None:
    """Read HTTP requests and answer each as the engine would, until the peer stops; a TLS
    handshake on a plain listener (an engine that never spoke TLS) gets no answer."""
    got = b""
    while True:
        while b"\r\n\r\n" not in got:
            chunk = conn.recv(65536)
            if not chunk:
                return
            engine.received.append(chunk)
            if chunk[:1] == b"\x16" and not got:
                return
            got += chunk
        head, _, rest = got.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length:")),
            0,
        )  # fmt: skip
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            engine.received.append(chunk)
            rest += chunk
        got = rest[length:]
        path = head.split(b" ")[1]
        body = json.dumps(
            {"Status": "Login Succeeded"} if path.endswith(b"/auth") else {"ApiVersion": "1.45"}
        ).encode()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )


@contextmanager
def listening(tls: ssl.SSLContext | None = None) -> Iterator[Engine]:
    """An engine on loopback: plain TCP, or TLS with ``tls``; what it received."""
    server = socket.create_server(("127.0.0.1", 0))
    found = Engine(server.getsockname()[1])

    def serve() -> None:
        while True:
            try:
                raw, _ = server.accept()
            except OSError:
                return
            found.connections += 1
            try:
                raw.settimeout(5)
                with tls.wrap_socket(raw, server_side=True) if tls else raw as conn:
                    _answer(conn, found)
            except OSError:
                raw.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield found
    finally:
        server.close()


def _check(env: dict[str, str], tmp_path: Path) -> None:
    engine.check_logins([LOGIN], str(tmp_path), env, _once)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _certs(tmp_path_factory.mktemp("engine-tls") / "certs")


def test_tls_verify_never_sends_the_password_to_a_plain_engine(tmp_path: Path, certs: Path) -> None:
    with listening() as plain:
        env = {
            "DOCKER_HOST": f"tcp://127.0.0.1:{plain.port}",
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": str(certs),
        }
        try:
            _check(env, tmp_path)
        except EngineError:
            refused = True
        else:
            refused = False
    assert PASSWORD.encode() not in plain.everything
    assert b"HTTP/1.1" not in plain.everything  # nothing in clear
    assert refused
    assert plain.connections
    assert all(got[:1] == b"\x16" for got in plain.received)  # a TLS ClientHello each time


def test_tls_verify_logs_in_over_tls_to_a_tls_engine(
    tmp_path: Path, certs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests lets these replace the CA the SDK gives it (this process's, not the step's)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs / "ca.pem"))
    server.load_cert_chain(certs / "server-cert.pem", certs / "server-key.pem")
    server.verify_mode = ssl.CERT_REQUIRED  # the engine asks for the client certificate
    with listening(server) as tls:
        env = {
            "DOCKER_HOST": f"tcp://127.0.0.1:{tls.port}",
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": str(certs),
        }
        _check(env, tmp_path)
    assert PASSWORD.encode() in tls.everything  # arrived, inside TLS


@pytest.mark.parametrize(
    "certs_at",
    [
        pytest.param({"DOCKER_CERT_PATH": "no-certs"}, id="cert-path"),
        pytest.param({"HOME": "home"}, id="the-clis-default-home-docker"),
        pytest.param({"DOCKER_CONFIG": "config"}, id="the-clis-default-docker-config"),
    ],
)
def test_tls_verify_without_its_files_is_refused_before_any_byte(
    tmp_path: Path, certs_at: dict[str, str]
) -> None:
    with listening() as plain:
        env = {
            "DOCKER_HOST": f"tcp://127.0.0.1:{plain.port}",
            "DOCKER_TLS_VERIFY": "1",
            **{name: str(tmp_path / value) for name, value in certs_at.items()},
        }
        with pytest.raises(EngineError, match="TLS to the Docker engine is asked for") as caught:
            _check(env, tmp_path)
    assert "DOCKER_TLS_VERIFY=1" in str(caught.value)
    assert "nothing was sent" in str(caught.value)
    assert plain.connections == 0


def test_docker_tls_alone_speaks_tls(tmp_path: Path) -> None:
    """``DOCKER_TLS`` (the CLI's ``--tls``): encrypted, the engine not verified."""
    with listening() as plain:
        env = {"DOCKER_HOST": f"tcp://127.0.0.1:{plain.port}", "DOCKER_TLS": "1",
               "HOME": str(tmp_path)}  # fmt: skip
        with pytest.raises(EngineError):
            _check(env, tmp_path)
    assert plain.connections
    assert all(got[:1] == b"\x16" for got in plain.received)


def _context(config: Path, name: str, host: str, tls: Path | None = None) -> None:
    key = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / key
    meta.mkdir(parents=True)
    endpoint = {"Host": host, "SkipTLSVerify": False}
    (meta / "meta.json").write_text(
        json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": endpoint}})
    )
    if tls is not None:
        files = config / "contexts" / "tls" / key / "docker"
        files.mkdir(parents=True)
        for pem in ("ca.pem", "cert.pem", "key.pem"):
            (files / pem).write_bytes((tls / pem).read_bytes())


def test_a_docker_context_is_used_with_its_tls(tmp_path: Path, certs: Path) -> None:
    config = tmp_path / "docker"
    with listening() as plain:
        _context(config, "remote", f"tcp://127.0.0.1:{plain.port}", tls=certs)
        env = {"DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": str(config)}
        with pytest.raises(EngineError):
            _check(env, tmp_path)
    assert PASSWORD.encode() not in plain.everything
    assert plain.connections
    assert all(got[:1] == b"\x16" for got in plain.received)


def test_the_configs_current_context_is_used(tmp_path: Path) -> None:
    config = tmp_path / "docker"
    with listening() as plain:
        _context(config, "plain", f"tcp://127.0.0.1:{plain.port}")
        (config / "config.json").write_text(json.dumps({"currentContext": "plain"}))
        _check({"HOME": str(tmp_path), "DOCKER_CONFIG": str(config)}, tmp_path)
    assert PASSWORD.encode() in plain.everything  # a context without TLS: as the CLI does


def test_an_unknown_context_is_refused_before_any_byte(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="Docker context nowhere"):
        _check({"DOCKER_CONTEXT": "nowhere", "DOCKER_CONFIG": str(tmp_path)}, tmp_path)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        pytest.param({}, "default", id="nothing"),
        pytest.param({"DOCKER_CONTEXT": "a"}, "a", id="context"),
        pytest.param(
            {"DOCKER_HOST": "tcp://h:2376", "DOCKER_CONTEXT": "a"}, "default", id="host-wins"
        ),
    ],
)
def test_the_context_is_chosen_as_the_cli_chooses(env: dict[str, str], name: str) -> None:
    assert engine._context_name(env) == name
