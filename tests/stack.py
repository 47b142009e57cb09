"""A real Docker stack for the integration tests, run from one state directory.

It starts two registries that are checked like public ones (TLS from a CA of our own, bcrypt
htpasswd auth, under names from ``/etc/hosts``) and a dockerd of our own (Debian sid's 28.x
with the containerd image store, so the docker driver can export caches and build
attestations, and BuildKit runs Dockerfile checks). Optionally a second dockerd without the
containerd store stands in for GitHub's hosted runners, whose docker driver cannot export
caches.

The registries do not listen on loopback: dockerd treats ``127.0.0.0/8`` and (since 28.x)
``::1`` as insecure registries (it then accepts any certificate and falls back to plain
HTTP, so a refused login reads ``400 Bad Request``), and BuildKit speaks plain HTTP to
``localhost``. They run in a network namespace of their own instead, on a unique local IPv6
address joined to the host by a veth pair, so every connection to them stays on this machine.

The client is Debian's ``/usr/bin/docker`` (same release as the engine), put first on ``PATH``
through a one-entry bin directory: a machine may have another ``docker`` earlier on ``PATH``
(``/usr/local/bin/docker`` here is a 28.x client). Both find buildx in
``/usr/libexec/docker/cli-plugins``.

Needs root and the packages of ``scripts/install-deps``.
CLI: ``python tests/stack.py up|down|env [--state-dir DIR] [--classic] [--purge]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import fcntl
import http.client
import io
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_STATE_DIR = Path("/tmp/bpp-stack")
DOCKER_CLIENT = Path("/usr/bin/docker")
BUSYBOX = Path("/bin/busybox")
# BuildKit asks a registry about a base image even when the engine has it; under a
# "localhost/" name that question goes to 127.0.0.1:443 (refused at once) rather than to
# Docker Hub through DNS.
BASE_IMAGE = "localhost/bpp-test/busybox:latest"

# name, port, user, password
_REGISTRIES = (
    ("reg-a.test", 15443, "bpp-user-a", "bpp-password-a"),
    ("reg-b.test", 15444, "bpp-user-b", "bpp-password-b"),
)
# The registries' network namespace and the two ends of the veth pair that joins it to the
# host. fd62:7070::/64 is a unique local prefix of our own (RFC 4193), not routed anywhere.
REGISTRY_NETNS = "bpp-reg"
REGISTRY_ADDR = "fd62:7070::2"
_HOST_ADDR = "fd62:7070::1"
_PREFIX_LEN = 64
_VETH_HOST = "bpp-reg0"
_VETH_NETNS = "bpp-reg1"
HOSTS_FILE = Path("/etc/hosts")
_HOSTS_MARK = "# build-push-py test registries"
HOSTS_LINE = f"{REGISTRY_ADDR} {' '.join(row[0] for row in _REGISTRIES)}  {_HOSTS_MARK}"
DOCKER_CERTS_DIR = Path("/etc/docker/certs.d")
SYSTEM_CA = Path("/usr/local/share/ca-certificates/bpp-test-ca.crt")

# distribution 2.8 answers 404 for an index (buildx pushes one whenever it adds provenance)
# unless the request accepts the index type: name every type buildx pushes.
MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)

REQUIRED_TOOLS = (
    Path("/usr/sbin/dockerd"),
    DOCKER_CLIENT,
    Path("/usr/libexec/docker/cli-plugins/docker-buildx"),
    Path("/usr/bin/docker-registry"),
    Path("/usr/bin/htpasswd"),
    Path("/usr/bin/openssl"),
    Path("/usr/sbin/update-ca-certificates"),
    Path("/usr/bin/skopeo"),
    Path("/usr/sbin/ip"),
    BUSYBOX,
)


@dataclass(frozen=True)
class EngineSpec:
    name: str
    socket: Path
    # A bridge of our own: a second dockerd sharing docker0 would allocate the same addresses,
    # and --bridge=none is never an option (dockerd then deletes docker0).
    bridge: str
    bridge_cidr: str
    containerd_store: bool


ENGINE = EngineSpec("engine", Path("/run/bpp-docker.sock"), "bpp0", "172.31.250.1/24", True)
CLASSIC_ENGINE = EngineSpec(
    "classic", Path("/run/bpp-docker-classic.sock"), "bpp1", "172.31.251.1/24", False
)


class StackError(RuntimeError):
    """The stack could not be started or stopped; the message says which part and why."""


@dataclass(frozen=True)
class Registry:
    name: str
    port: int
    user: str
    password: str
    ca: Path

    @property
    def host(self) -> str:
        """``name:port``, as used in image references and ``docker login``."""
        return f"{self.name}:{self.port}"

    @property
    def url(self) -> str:
        return f"https://{self.host}"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def tags(self, repo: str) -> list[str]:
        """The repository's tags from the v2 API, sorted; empty when it does not exist."""
        try:
            with self._request("GET", f"/v2/{repo}/tags/list") as resp:
                body = json.load(resp)
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return []
            raise
        return sorted(body.get("tags") or [])

    def manifest_digest(self, repo: str, reference: str) -> str | None:
        """The registry's digest for a tag or digest (HEAD), or None when it has none."""
        try:
            with self._request("HEAD", f"/v2/{repo}/manifests/{reference}") as resp:
                return resp.headers.get("Docker-Content-Digest")
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def manifest(self, repo: str, reference: str) -> tuple[str, dict[str, Any]]:
        """The manifest (or index) as stored, with its media type."""
        with self._request("GET", f"/v2/{repo}/manifests/{reference}") as resp:
            return resp.headers.get_content_type(), json.load(resp)

    def blob(self, repo: str, digest: str) -> bytes:
        with self._request("GET", f"/v2/{repo}/blobs/{digest}") as resp:
            data: bytes = resp.read()
        return data

    def _request(self, method: str, path: str) -> http.client.HTTPResponse:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 -- always https to our registry
            self.url + path,
            method=method,
            headers={"Authorization": f"Basic {token}", "Accept": ", ".join(MANIFEST_TYPES)},
        )
        response: http.client.HTTPResponse = urllib.request.urlopen(  # noqa: S310
            request, timeout=10, context=self.ssl_context()
        )
        return response


@dataclass(frozen=True)
class Stack:
    state_dir: Path
    docker_host: str
    docker: Path
    bin_dir: Path
    registries: tuple[Registry, ...]
    classic_docker_host: str | None

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (the current environment by default) pointed at this stack's engine and
        client. DOCKER_CONFIG is left alone: each test logs in into a directory of its own."""
        env = dict(os.environ if base is None else base)
        env["DOCKER_HOST"] = self.docker_host
        env["PATH"] = os.pathsep.join([str(self.bin_dir), env.get("PATH", os.defpath)])
        for var in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "BUILDX_BUILDER"):
            env.pop(var, None)
        return env

    def variables(self) -> dict[str, str]:
        """The stack's description as flat KEY=VALUE pairs (what ``stack.py env`` prints)."""
        out = {
            "DOCKER_HOST": self.docker_host,
            "BPP_DOCKER": str(self.docker),
            "BPP_BIN_DIR": str(self.bin_dir),
        }
        if self.classic_docker_host:
            out["BPP_CLASSIC_DOCKER_HOST"] = self.classic_docker_host
        for reg in self.registries:
            key = "BPP_" + reg.name.split(".")[0].upper().replace("-", "_")
            out |= {
                f"{key}_HOST": reg.host,
                f"{key}_USER": reg.user,
                f"{key}_PASSWORD": reg.password,
                f"{key}_CA": str(reg.ca),
            }
        return out

    def stop(self) -> None:
        down(self.state_dir)

    def base_image(self) -> str:
        """A tiny busybox image in the engine's store (Docker Hub is unreachable here).

        It has ``/bin/sh``, so shell-form ``RUN`` works. The rootfs tarball is cached in the
        state directory; ``docker import`` runs only when the engine lacks the image.
        """
        docker = [str(self.docker), "--host", self.docker_host]
        with _flock(self.state_dir / "up.lock"):
            found = subprocess.run(
                [*docker, "image", "inspect", BASE_IMAGE], capture_output=True, check=False
            )
            if found.returncode != 0:
                tar = self.state_dir / "busybox-rootfs.tar"
                if not tar.exists():
                    _write_busybox_rootfs(tar)
                _check([*docker, "image", "import", str(tar), BASE_IMAGE])
        return BASE_IMAGE


def missing_tools() -> list[str]:
    """Paths of the programs the stack needs that are not installed."""
    return [str(tool) for tool in REQUIRED_TOOLS if not tool.exists()]


def up(state_dir: Path = DEFAULT_STATE_DIR, *, classic: bool = False) -> Stack:
    """Start whatever part of the stack is not already running and return its description."""
    if os.geteuid() != 0:
        raise StackError("the test stack needs root (dockerd, /etc/hosts, the CA store)")
    if missing := missing_tools():
        raise StackError(f"missing {', '.join(missing)}: run scripts/install-deps")
    state_dir.mkdir(parents=True, exist_ok=True)
    with _flock(state_dir / "up.lock"):
        registries = _registries(state_dir)
        pki = _ensure_pki(state_dir / "pki", registries)
        _ensure_registry_netns()
        _ensure_hosts_line()
        # The cloud names too, before dockerd starts: an engine that has read /etc/hosts may
        # not see lines added later at once (a run once failed every cloud login on it).
        _ensure_cloud_hosts()
        trust_changed = _ensure_trust(pki.ca_cert, registries)
        for reg in registries:
            _ensure_registry(_registry_dir(state_dir, reg), reg, pki)
        engines = [ENGINE, CLASSIC_ENGINE] if classic else [ENGINE]
        for engine in engines:
            # BuildKit inside dockerd reads the trusted CAs only when dockerd starts.
            _ensure_engine(state_dir / engine.name, engine, restart=trust_changed)
    return describe(state_dir)


@contextlib.contextmanager
def session(state_dir: Path = DEFAULT_STATE_DIR, *, classic: bool = False) -> Iterator[Stack]:
    """The stack for one test run. It is stopped at the end only when this run started it and
    no other run (holding the same shared lock) still uses it: a stack brought up by hand, or
    by a run still going on, stays up."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / "users.lock").open("a") as users:
        fcntl.flock(users, fcntl.LOCK_SH)
        started_here = not is_up(state_dir)
        running = up(state_dir, classic=classic)
        try:
            yield running
        finally:
            last_user = True
            try:
                fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                last_user = False
            if started_here and last_user:
                down(state_dir)


def describe(state_dir: Path = DEFAULT_STATE_DIR) -> Stack:
    """The stack as ``up`` would return it; says nothing of whether it is running."""
    bin_dir = state_dir / "bin"
    if not (bin_dir / "docker").is_symlink():
        bin_dir.mkdir(parents=True, exist_ok=True)
        (bin_dir / "docker").symlink_to(DOCKER_CLIENT)
    classic_running = _alive(_pid_from(state_dir / CLASSIC_ENGINE.name / "dockerd.pid"), "dockerd")
    return Stack(
        state_dir=state_dir,
        docker_host=f"unix://{ENGINE.socket}",
        docker=DOCKER_CLIENT,
        bin_dir=bin_dir,
        registries=_registries(state_dir),
        classic_docker_host=f"unix://{CLASSIC_ENGINE.socket}" if classic_running else None,
    )


def is_up(state_dir: Path = DEFAULT_STATE_DIR) -> bool:
    return _ping(ENGINE.socket) and all(
        _alive(_pid_from(_registry_dir(state_dir, reg) / "registry.pid"), "docker-registry")
        for reg in _registries(state_dir)
    )


def _registries(state_dir: Path) -> tuple[Registry, ...]:
    ca = state_dir / "pki" / "ca.crt"
    return tuple(Registry(*row, ca=ca) for row in _REGISTRIES)


def _registry_dir(state_dir: Path, reg: Registry) -> Path:
    return state_dir / "registries" / reg.name


def down(state_dir: Path = DEFAULT_STATE_DIR, *, purge: bool = False) -> None:
    """Stop every process of the stack. ``purge`` also removes the state directory and what
    ``up`` added to the system: the CA trust, the /etc/hosts line, the bridges and the
    registries' network namespace."""
    for engine in (ENGINE, CLASSIC_ENGINE):
        _stop_pidfile(state_dir / engine.name / "dockerd.pid", "dockerd", timeout=20)
    registries = _registries(state_dir)
    for reg in registries:
        _stop_pidfile(_registry_dir(state_dir, reg) / "registry.pid", "docker-registry", timeout=5)
    _cloud_down(state_dir)
    if not purge:
        return
    for engine in (ENGINE, CLASSIC_ENGINE):
        _delete_bridge(engine)
    _delete_registry_netns()
    for reg in registries:
        shutil.rmtree(DOCKER_CERTS_DIR / reg.host, ignore_errors=True)
    if SYSTEM_CA.exists():
        SYSTEM_CA.unlink()
        # update-ca-certificates drops a removed CA from the bundle but leaves its links.
        pem = SYSTEM_CA.with_suffix(".pem").name
        for link in Path("/etc/ssl/certs").iterdir():
            if link.name == pem or (link.is_symlink() and str(link.readlink()) == pem):
                link.unlink()
        _check(["update-ca-certificates"])
    lines = HOSTS_FILE.read_text().splitlines(keepends=True)
    HOSTS_FILE.write_text("".join(ln for ln in lines if not _is_hosts_line(ln)))
    _remove_tree(state_dir)


def _remove_tree(path: Path) -> None:
    if path.exists():
        # dockerd leaves exec-root/netns/default (a bind of the host's netns) mounted on exit.
        inside = [m for m in _mount_points() if Path(m).is_relative_to(path.resolve())]
        for mount in sorted(inside, reverse=True):
            _check(["umount", mount])
        shutil.rmtree(path)


# --- stand-ins for cloud registries ---------------------------------------------------------
# Amazon ECR and Docker Hub's dhi.io answer on port 443 under their own names: a login's
# credentials come from their APIs (moto's ECR, a local identity service), and the engine
# then checks them against a registry that is checked like a real one. One registry serves
# both names (its htpasswd holds both users), with a certificate of the stack's CA, so
# neither dockerd nor BuildKit needs a restart. Started by the tests that need it.

ECR_ACCOUNT = "123456789012"
ECR_REGISTRY = f"{ECR_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
# what moto's GetAuthorizationToken hands out for that account: AWS:<account>-auth-token
ECR_USER, ECR_PASSWORD = "AWS", f"{ECR_ACCOUNT}-auth-token"
DHI_REGISTRY = "dhi.io"
HUB_ORG, HUB_TOKEN = "bpp-org", "hub-token-Zq7"
# Docker's identity service, served by the test itself on the host's end of the veth pair.
IDENTITY_NAME = "identity.docker.com"
IDENTITY_ADDR = _HOST_ADDR
_CLOUD_MARK = "# build-push-py cloud stand-ins"
CLOUD_HOSTS = (
    f"{REGISTRY_ADDR} {ECR_REGISTRY} {DHI_REGISTRY}  {_CLOUD_MARK}",
    f"{IDENTITY_ADDR} {IDENTITY_NAME}  {_CLOUD_MARK}",
)


@dataclass(frozen=True)
class Cloud:
    ecr: Registry  # ECR_REGISTRY, as AWS
    dhi: Registry  # DHI_REGISTRY, as HUB_ORG
    # the certificate and key of IDENTITY_NAME (and of the registry's names)
    cert: Path
    key: Path


def cloud_up(state_dir: Path = DEFAULT_STATE_DIR) -> Cloud:
    """The cloud stand-ins (the stack must be up): the hosts lines, the certificate, the
    engine's trust and the registry; each only when missing."""
    cloud_dir = state_dir / "cloud"
    ca = state_dir / "pki" / "ca.crt"
    ecr = Registry(ECR_REGISTRY, 443, ECR_USER, ECR_PASSWORD, ca=ca)
    dhi = Registry(DHI_REGISTRY, 443, HUB_ORG, HUB_TOKEN, ca=ca)
    with _flock(state_dir / "up.lock"):
        cloud_dir.mkdir(parents=True, exist_ok=True)
        pki = _cloud_pki(state_dir / "pki", cloud_dir)
        _ensure_cloud_hosts()
        for name in (ECR_REGISTRY, DHI_REGISTRY):
            _write_if_changed(DOCKER_CERTS_DIR / name / "ca.crt", ca.read_bytes())
        _ensure_registry(cloud_dir / "registry", ecr, pki, more_users=[(dhi.user, dhi.password)])
    return Cloud(ecr, dhi, pki.server_cert, pki.server_key)


def _ensure_cloud_hosts() -> None:
    text = HOSTS_FILE.read_text()
    missing = [line for line in CLOUD_HOSTS if line not in text.splitlines()]
    if missing:
        HOSTS_FILE.write_text(text + ("" if text.endswith("\n") else "\n")
                              + "".join(f"{line}\n" for line in missing))  # fmt: skip


def _cloud_pki(pki_dir: Path, cloud_dir: Path) -> _Pki:
    pki = _Pki(pki_dir / "ca.crt", cloud_dir / "server.crt", cloud_dir / "server.key")
    if pki.server_cert.exists() and pki.server_key.exists():
        return pki
    csr, ext = cloud_dir / "server.csr", cloud_dir / "server.ext"
    _check(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-subj", "/CN=build-push-py cloud stand-ins",
            "-keyout", str(pki.server_key), "-out", str(csr)])  # fmt: skip
    names = ",".join(f"DNS:{name}" for name in (ECR_REGISTRY, DHI_REGISTRY, IDENTITY_NAME))
    ext.write_text(
        f"subjectAltName={names}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    _check(["openssl", "x509", "-req", "-in", str(csr), "-days", "365",
            "-CA", str(pki.ca_cert), "-CAkey", str(pki_dir / "ca.key"), "-CAcreateserial",
            "-extfile", str(ext), "-out", str(pki.server_cert)])  # fmt: skip
    return pki


def _cloud_down(state_dir: Path) -> None:
    _stop_pidfile(state_dir / "cloud" / "registry" / "registry.pid", "docker-registry", timeout=5)
    for name in (ECR_REGISTRY, DHI_REGISTRY):
        shutil.rmtree(DOCKER_CERTS_DIR / name, ignore_errors=True)
    if HOSTS_FILE.exists():
        lines = HOSTS_FILE.read_text().splitlines(keepends=True)
        kept = [ln for ln in lines if not ln.rstrip("\n").endswith(_CLOUD_MARK)]
        if kept != lines:
            HOSTS_FILE.write_text("".join(kept))


# --- certificates and trust ---------------------------------------------------------------


@dataclass(frozen=True)
class _Pki:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def _ensure_pki(pki_dir: Path, registries: Sequence[Registry]) -> _Pki:
    pki = _Pki(pki_dir / "ca.crt", pki_dir / "server.crt", pki_dir / "server.key")
    if pki.ca_cert.exists() and pki.server_cert.exists() and pki.server_key.exists():
        return pki
    pki_dir.mkdir(parents=True, exist_ok=True)
    ca_key = pki_dir / "ca.key"
    csr = pki_dir / "server.csr"
    ext = pki_dir / "server.ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _check(
        [
            "openssl", "req", "-x509", *ec, "-days", "365",
            "-subj", "/CN=build-push-py test CA",
            "-keyout", str(ca_key), "-out", str(pki.ca_cert),
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ]
    )  # fmt: skip
    _check(
        [
            "openssl", "req", "-new", *ec, "-subj", "/CN=build-push-py test registries",
            "-keyout", str(pki.server_key), "-out", str(csr),
        ]
    )  # fmt: skip
    names = ",".join(f"DNS:{reg.name}" for reg in registries)
    ext.write_text(
        f"subjectAltName={names},IP:{REGISTRY_ADDR}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
    )
    _check(
        [
            "openssl", "x509", "-req", "-in", str(csr), "-days", "365",
            "-CA", str(pki.ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
            "-extfile", str(ext), "-out", str(pki.server_cert),
        ]
    )  # fmt: skip
    return pki


def _ensure_trust(ca_cert: Path, registries: Sequence[Registry]) -> bool:
    """Trust the CA for dockerd (login, push) and system-wide (BuildKit, skopeo, imagetools).

    Returns whether anything changed, in which case a running dockerd must be restarted.
    """
    ca = ca_cert.read_bytes()
    changed = False
    for reg in registries:
        changed |= _write_if_changed(DOCKER_CERTS_DIR / reg.host / "ca.crt", ca)
    if _write_if_changed(SYSTEM_CA, ca):
        _check(["update-ca-certificates"])
        changed = True
    return changed


def _is_hosts_line(line: str) -> bool:
    """Ours, this version's or an earlier one's (which named ``::1``)."""
    return line.rstrip("\n").endswith(_HOSTS_MARK)


def _ensure_hosts_line() -> None:
    text = HOSTS_FILE.read_text()
    lines = text.splitlines()
    if HOSTS_LINE in lines and sum(_is_hosts_line(ln) for ln in lines) == 1:
        return
    kept = "".join(ln for ln in text.splitlines(keepends=True) if not _is_hosts_line(ln))
    if kept and not kept.endswith("\n"):
        kept += "\n"
    HOSTS_FILE.write_text(kept + HOSTS_LINE + "\n")


# --- the registries' network namespace ------------------------------------------------------


def _ensure_registry_netns() -> None:
    """The namespace, the veth pair and the addresses; each step only when it is missing."""
    if not Path("/run/netns", REGISTRY_NETNS).exists():
        _check(["ip", "netns", "add", REGISTRY_NETNS])
    if not Path("/sys/class/net", _VETH_HOST).exists():
        _check(["ip", "link", "add", _VETH_HOST, "type", "veth",
                "peer", "name", _VETH_NETNS, "netns", REGISTRY_NETNS])  # fmt: skip
    in_ns = ["ip", "-n", REGISTRY_NETNS]
    # nodad: the address is usable at once (duplicate detection would hold it for ~2 s).
    _check(["ip", "addr", "replace", f"{_HOST_ADDR}/{_PREFIX_LEN}", "dev", _VETH_HOST, "nodad"])
    _check([*in_ns, "addr", "replace", f"{REGISTRY_ADDR}/{_PREFIX_LEN}", "dev", _VETH_NETNS,
            "nodad"])  # fmt: skip
    _check(["ip", "link", "set", _VETH_HOST, "up"])
    _check([*in_ns, "link", "set", _VETH_NETNS, "up"])
    _check([*in_ns, "link", "set", "lo", "up"])


def _delete_registry_netns() -> None:
    # Deleting either end of a veth pair deletes both.
    for argv in (["ip", "link", "delete", _VETH_HOST], ["ip", "netns", "delete", REGISTRY_NETNS]):
        subprocess.run(argv, capture_output=True, check=False)


_CLONE_NEWNET = 0x40000000


def registry_socket(port: int = 0) -> socket.socket:
    """A TCP socket bound to ``[REGISTRY_ADDR]:port`` inside the registries' namespace (port 0:
    any free one), for a stand-in that must answer under a registry's name. The socket stays
    in that namespace; the thread that made it joined the namespace and is gone."""
    made: list[socket.socket] = []
    failed: list[BaseException] = []

    def make() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            with Path("/run/netns", REGISTRY_NETNS).open("rb") as netns:
                if libc.setns(netns.fileno(), _CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns {REGISTRY_NETNS}: {os.strerror(err)}")
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((REGISTRY_ADDR, port))
            except BaseException:
                sock.close()
                raise
            made.append(sock)
        except BaseException as err:  # handed to the caller's thread
            failed.append(err)

    thread = threading.Thread(target=make, name="registry-netns")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]


# --- registries -----------------------------------------------------------------------------


def _ensure_registry(
    reg_dir: Path, reg: Registry, pki: _Pki, more_users: Sequence[tuple[str, str]] = ()
) -> None:
    pidfile = reg_dir / "registry.pid"
    if _alive(_pid_from(pidfile), "docker-registry") and _registry_answers(reg):
        return
    _stop_pidfile(pidfile, "docker-registry", timeout=5)
    if _port_taken(reg.port):
        raise StackError(
            f"[{REGISTRY_ADDR}]:{reg.port} is taken by another process; {reg.name} needs it"
        )
    reg_dir.mkdir(parents=True, exist_ok=True)
    htpasswd = reg_dir / "htpasswd"
    _check(["htpasswd", "-c", "-B", "-i", str(htpasswd), reg.user], input_text=reg.password)
    for user, password in more_users:
        _check(["htpasswd", "-B", "-i", str(htpasswd), user], input_text=password)
    config = reg_dir / "config.yml"
    # JSON is YAML: no YAML library needed.
    config.write_text(
        json.dumps(
            {
                "version": 0.1,
                "log": {"level": "warn", "accesslog": {"disabled": True}},
                "storage": {
                    "filesystem": {"rootdirectory": str(reg_dir / "data")},
                    "delete": {"enabled": True},
                },
                "http": {
                    "addr": f"[{REGISTRY_ADDR}]:{reg.port}",
                    "secret": f"bpp-test-{reg.name}",
                    "tls": {"certificate": str(pki.server_cert), "key": str(pki.server_key)},
                },
                "auth": {"htpasswd": {"realm": reg.name, "path": str(htpasswd)}},
            },
            indent=2,
        )
    )
    # ip execs the registry in the namespace: the pid stays the registry's.
    proc = _spawn(
        ["ip", "netns", "exec", REGISTRY_NETNS, "docker-registry", "serve", str(config)],
        reg_dir / "registry.log",
    )
    pidfile.write_text(f"{proc.pid}\n")
    _wait_for(
        lambda: _registry_answers(reg),
        timeout=15,
        what=f"registry {reg.name}",
        proc=proc,
        log=reg_dir / "registry.log",
    )


def _registry_answers(reg: Registry) -> bool:
    """True when the registry speaks TLS with our CA and asks for credentials."""
    try:
        with urllib.request.urlopen(f"{reg.url}/v2/", timeout=2, context=reg.ssl_context()):  # noqa: S310
            return False
    except urllib.error.HTTPError as err:
        with err:
            return err.code == 401
    except OSError:
        return False


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex((REGISTRY_ADDR, port)) == 0


# --- engines --------------------------------------------------------------------------------


def _ensure_engine(engine_dir: Path, spec: EngineSpec, *, restart: bool) -> None:
    pidfile = engine_dir / "dockerd.pid"
    if not restart and _alive(_pid_from(pidfile), "dockerd") and _ping(spec.socket):
        return
    _stop_pidfile(pidfile, "dockerd", timeout=20)
    if spec.socket.exists() and _ping(spec.socket):
        raise StackError(f"another dockerd already serves {spec.socket}")
    _ensure_bridge(spec)
    engine_dir.mkdir(parents=True, exist_ok=True)
    config = engine_dir / "daemon.json"
    config.write_text(json.dumps({"features": {"containerd-snapshotter": spec.containerd_store}}))
    argv = [
        "dockerd",
        "--config-file", str(config),
        "--data-root", str(engine_dir / "data"),
        "--exec-root", str(engine_dir / "exec"),
        "--pidfile", str(pidfile),
        "--host", f"unix://{spec.socket}",
        "--bridge", spec.bridge,
        # Containers get no route out and nothing is written to the host's firewall.
        "--iptables=false",
        "--ip-masq=false",
        "--ip6tables=false",
    ]  # fmt: skip
    log = engine_dir / "dockerd.log"
    proc = _spawn(argv, log)
    _wait_for(
        lambda: _ping(spec.socket), timeout=30, what=f"dockerd {spec.name}", proc=proc, log=log
    )


def start_engine(state_dir: Path, spec: EngineSpec) -> str:
    """Start a dockerd for ``spec`` beside the stack's own (unless one already answers there),
    with its data, exec root, pid file and log in ``state_dir/spec.name``; returns its
    DOCKER_HOST. The spec needs a socket, bridge and CIDR of its own. Trust for the test
    registries comes from ``certs.d`` and the system store, as for the stack's engines."""
    _ensure_engine(state_dir / spec.name, spec, restart=False)
    return f"unix://{spec.socket}"


def stop_engine(state_dir: Path, spec: EngineSpec, *, purge: bool = False) -> None:
    """Stop the dockerd ``start_engine`` started for ``spec`` (SIGTERM, SIGKILL after 20 s);
    ``purge`` also removes its state directory, socket and bridge."""
    _stop_pidfile(state_dir / spec.name / "dockerd.pid", "dockerd", timeout=20)
    if purge:
        _remove_tree(state_dir / spec.name)
        spec.socket.unlink(missing_ok=True)
        _delete_bridge(spec)


def _ensure_bridge(spec: EngineSpec) -> None:
    if Path("/sys/class/net", spec.bridge).exists():
        return
    _check(["ip", "link", "add", spec.bridge, "type", "bridge"])
    _check(["ip", "addr", "add", spec.bridge_cidr, "dev", spec.bridge])
    _check(["ip", "link", "set", spec.bridge, "up"])


def _delete_bridge(spec: EngineSpec) -> None:
    subprocess.run(
        ["ip", "link", "delete", spec.bridge, "type", "bridge"], capture_output=True, check=False
    )


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(str(self._path))
        except BaseException:
            # A socket file with no daemon listening yet: close it here, or it is only closed
            # (with a ResourceWarning, an error under -W error) when it is collected.
            sock.close()
            raise
        self.sock = sock


def _ping(sock_path: Path) -> bool:
    if not sock_path.exists():
        return False
    conn = _UnixConnection(sock_path, timeout=2)
    try:
        conn.request("GET", "/_ping")
        resp = conn.getresponse()
        return resp.status == 200 and resp.read() == b"OK"
    except OSError:
        return False
    finally:
        conn.close()


# --- processes and small helpers ------------------------------------------------------------


# Daemons started by this process, kept so that stopping them reaps them (and Popen does not
# warn about a child still running when it is collected).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _spawn(argv: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    # A session of its own, so that a Ctrl-C in the test run does not take the stack with it.
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    _CHILDREN[proc.pid] = proc
    return proc


def _wait_for(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    proc: subprocess.Popen[bytes],
    log: Path,
) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            state = f"exited with {proc.returncode}" if proc.returncode is not None else "timed out"
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise StackError(f"{what} {state}; last lines of {log}:\n{tail}")
        time.sleep(0.05)


def _pid_from(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int | None, program: str) -> bool:
    """Whether ``pid`` runs ``program``: a pid file in /tmp can outlive a reboot, and its
    number may belong to another process by now."""
    if pid is None:
        return False
    proc = Path(f"/proc/{pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        argv0 = (proc / "cmdline").read_bytes().split(b"\0", 1)[0].decode()
    except (OSError, IndexError, UnicodeDecodeError):
        return False
    return state != "Z" and Path(argv0).name == program


def _stop_pidfile(pidfile: Path, program: str, *, timeout: float) -> None:
    pid = _pid_from(pidfile)
    if _alive(pid, program):
        assert pid is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid, program) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid, program):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    if pid is not None and (child := _CHILDREN.pop(pid, None)):
        child.wait()
    pidfile.unlink(missing_ok=True)


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    """Exclusive while held: test runs started at the same time must not race."""
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _mount_points() -> Iterator[str]:
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        yield line.split()[4]


def _check(argv: Sequence[str], *, input_text: str | None = None) -> None:
    done = subprocess.run(argv, input=input_text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _write_busybox_rootfs(tar_path: Path) -> None:
    applets = subprocess.run(
        [str(BUSYBOX), "--list-full"], capture_output=True, text=True, check=True
    ).stdout.split()
    tmp = tar_path.with_suffix(".tmp")
    with tarfile.open(tmp, "w") as tar:
        for directory in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "tmp", "root"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if directory == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(BUSYBOX), arcname="bin/busybox")
        for applet in applets:
            if applet == "bin/busybox":
                continue
            info = tarfile.TarInfo(applet)
            info.type = tarfile.SYMTYPE
            info.linkname = "/bin/busybox"
            tar.addfile(info)
        passwd = b"root:x:0:0:root:/root:/bin/sh\n"
        info = tarfile.TarInfo("etc/passwd")
        info.size = len(passwd)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(passwd))
    tmp.replace(tar_path)


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stack.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "env"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument(
        "--classic", action="store_true", help="up: also a dockerd without the containerd store"
    )
    parser.add_argument(
        "--purge", action="store_true", help="down: also remove the state and system changes"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            started = time.monotonic()
            stack = up(args.state_dir, classic=args.classic)
            print(f"stack up in {time.monotonic() - started:.1f}s", file=sys.stderr)
        elif args.command == "down":
            down(args.state_dir, purge=args.purge)
            return 0
        else:
            if not is_up(args.state_dir):
                print("stack is not running: python tests/stack.py up", file=sys.stderr)
                return 1
            stack = describe(args.state_dir)
    except StackError as err:
        print(f"stack.py: {err}", file=sys.stderr)
        return 1
    for key, value in stack.variables().items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
