"""The Docker engine, through its API (the ``docker`` SDK): reachability and registry logins.

Logging in through the engine rather than the ``docker`` CLI keeps the action image free of
a second 40 MB Go binary; the engine's ``/auth`` check is the same one ``docker login`` asks
for. The password travels in the API request body over the engine socket, never in argv.
"""

from __future__ import annotations

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


def _client(env: Mapping[str, str]) -> Any:
    import docker  # noqa: PLC0415 - 0.1 s to import (requests, most of it); a dry run never needs it

    host = env.get("DOCKER_HOST") or DEFAULT_HOST
    try:
        return docker.APIClient(base_url=host, version="auto", timeout=60)
    except docker.errors.DockerException as exc:
        raise EngineError(f"cannot reach the Docker engine at {host}: {exc}") from None


def check_logins(
    logins: Sequence[Credential],
    config_dir: str,
    env: Mapping[str, str],
    retry: Retrier,
) -> None:
    """Check every login with the engine (``docker login``'s check); writes nothing.
    ``retry`` runs each check again after a temporary registry failure."""
    import docker  # noqa: PLC0415

    client = _client(env)
    empty = str(Path(config_dir) / "none.json")  # keep the SDK off ~/.docker/config.json

    def check(entry: Credential) -> None:
        try:
            client.login(
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
