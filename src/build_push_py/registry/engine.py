"""The Docker engine, through its API (the ``docker`` SDK): reachability and registry logins.

Logging in through the engine rather than the ``docker`` CLI keeps the action image free of
a second 40 MB Go binary; the engine's ``/auth`` check is the same one ``docker login`` asks
for. The password travels in the API request body over the engine socket, never in argv.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import EngineError, LoginError
from ..private import write_private
from ..retry import Retrier
from .login import server_address
from .method import Credential

DEFAULT_HOST = "unix:///var/run/docker.sock"


def client(env: Mapping[str, str]) -> Any:
    """A client for the engine the docker CLI would talk to in ``env``: its context, or
    ``DOCKER_HOST`` with the TLS that ``DOCKER_TLS_VERIFY``, ``DOCKER_TLS`` and
    ``DOCKER_CERT_PATH`` ask for. TLS that is asked for and cannot be set up is an error
    here, before a byte (the registry password among them) goes to the engine."""
    import docker  # noqa: PLC0415 - 0.1 s to import (requests, most of it); a dry run never needs it

    name = _context_name(env)
    try:
        host, tls = _from_env(env) if name == "default" else _from_context(env, name)
    except docker.errors.TLSParameterError as exc:
        raise EngineError(
            f"TLS to the Docker engine is asked for ({_tls_source(env, name)}) and cannot be"
            f" set up: {exc}; nothing was sent to the engine",
            hint="env:\n  DOCKER_CERT_PATH: /path/to/certs  # with ca.pem, cert.pem, key.pem",
        ) from None
    try:
        return docker.APIClient(base_url=host, tls=tls, version="auto", timeout=60)
    except docker.errors.DockerException as exc:
        raise EngineError(f"cannot reach the Docker engine at {host}: {exc}") from None


def _config_dir(env: Mapping[str, str]) -> Path | None:
    """The user's Docker config directory, as the CLI finds it (``DOCKER_CONFIG``, else
    ``~/.docker``), from ``env`` rather than this process's own home."""
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"])
    return Path(env["HOME"]) / ".docker" if env.get("HOME") else None


def _context_name(env: Mapping[str, str]) -> str:
    """The CLI's choice of context: ``DOCKER_HOST`` means the default one, then
    ``DOCKER_CONTEXT``, then the config's ``currentContext``."""
    if env.get("DOCKER_HOST"):
        return "default"
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    config = _config_dir(env)
    try:
        data = json.loads((config / "config.json").read_text(encoding="utf-8")) if config else {}
    except (OSError, ValueError):
        data = {}
    current = data.get("currentContext") if isinstance(data, dict) else None
    return current if isinstance(current, str) and current else "default"


def _tls_source(env: Mapping[str, str], name: str) -> str:
    if name != "default":
        return f"by the Docker context {name}"
    given = ("DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH")
    return ", ".join(f"{n}={env[n]}" for n in given if env.get(n))


def _from_env(env: Mapping[str, str]) -> tuple[str, Any]:
    """The default context: ``DOCKER_HOST`` and TLS from the variables, read by the docker
    SDK's own ``kwargs_from_env``; ``DOCKER_TLS`` (TLS without verifying the engine), which
    the SDK does not read, as the CLI reads it."""
    from docker.tls import TLSConfig  # noqa: PLC0415
    from docker.utils import kwargs_from_env  # noqa: PLC0415

    config = _config_dir(env)
    given = {**env, "DOCKER_HOST": env.get("DOCKER_HOST") or DEFAULT_HOST}
    if env.get("DOCKER_TLS_VERIFY") and not env.get("DOCKER_CERT_PATH") and config:
        # The CLI's default; the SDK's would be this process's home, not the step's.
        given["DOCKER_CERT_PATH"] = str(config)
    kwargs = kwargs_from_env(environment=given)
    tls = kwargs.get("tls")
    if tls is None and env.get("DOCKER_TLS"):
        certs = given.get("DOCKER_CERT_PATH") or str(config or "")
        cert, key = Path(certs, "cert.pem"), Path(certs, "key.pem")
        both = bool(certs) and cert.is_file() and key.is_file()
        tls = TLSConfig(client_cert=(str(cert), str(key)) if both else None, verify=False)
    return kwargs["base_url"], tls


def _from_context(env: Mapping[str, str], name: str) -> tuple[str, Any]:
    """The engine endpoint of the context ``name`` and its TLS, from the CLI's context store:
    ``contexts/meta/<sha256(name)>/meta.json`` and ``contexts/tls/<sha256(name)>/docker/``."""
    from docker.tls import TLSConfig  # noqa: PLC0415

    config = _config_dir(env)
    if config is None:
        raise EngineError(
            f"the Docker context {name} is asked for, and there is no Docker config directory"
            " to read it from (neither DOCKER_CONFIG nor HOME is set)"
        )
    store = config / "contexts"
    key = hashlib.sha256(name.encode("utf-8")).hexdigest()
    meta = store / "meta" / key / "meta.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(
            f"the Docker context {name} (DOCKER_CONTEXT or the config's currentContext)"
            f" cannot be read from {meta}: {exc}"
        ) from None
    endpoints = data.get("Endpoints") if isinstance(data, dict) else None
    endpoint = endpoints.get("docker") if isinstance(endpoints, dict) else None
    host = endpoint.get("Host") if isinstance(endpoint, dict) else None
    if not isinstance(endpoint, dict) or not isinstance(host, str) or not host:
        raise EngineError(f"the Docker context {name} names no Docker endpoint in {meta}")
    skip_verify = endpoint.get("SkipTLSVerify") is True
    files = store / "tls" / key / "docker"
    if not files.is_dir() and not skip_verify:
        return host, None
    ca, cert, client_key = files / "ca.pem", files / "cert.pem", files / "key.pem"
    client = (str(cert), str(client_key)) if cert.is_file() and client_key.is_file() else None
    return host, TLSConfig(
        client_cert=client, ca_cert=str(ca) if ca.is_file() else None, verify=not skip_verify
    )


def check_logins(
    logins: Sequence[Credential],
    config_dir: str,
    env: Mapping[str, str],
    retry: Retrier,
) -> None:
    """Check every login with the engine (``docker login``'s check); writes nothing.
    ``retry`` runs each check again after a temporary registry failure."""
    import docker  # noqa: PLC0415

    api = client(env)
    empty = str(Path(config_dir) / "none.json")  # keep the SDK off ~/.docker/config.json

    def check(entry: Credential) -> None:
        try:
            api.login(
                username=entry.username,
                password=entry.password,
                registry=server_address(entry.registry),
                reauth=True,
                dockercfg_path=empty,
            )
        except docker.errors.APIError as exc:
            reason = str(exc.explanation or exc).strip()
            user = f" as {entry.username}" if entry.show_username else ""
            raise LoginError(f"login to {entry.registry}{user} failed: {reason}") from None
        except docker.errors.DockerException as exc:
            raise EngineError(f"cannot reach the Docker engine to log in: {exc}") from None

    for entry in logins:
        retry(partial(check, entry), f"Login to {entry.registry}")


def write_config(config_dir: str, config: Mapping[str, Any]) -> None:
    """``config_dir/config.json``, readable by this user only (the directory is made so)."""
    Path(config_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(Path(config_dir) / "config.json", json.dumps(config))
