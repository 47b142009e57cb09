"""Registry logins, as docker/login-action v3 reads them, and the config they leave.

A login is what ``docker login`` does: the engine checks the credentials against the
registry (``POST /auth``), then they are stored in a ``config.json``. Here that file lives
in a Docker config directory of the action's own, so the host's credentials are untouched
and ``buildx --push`` finds them there. See ``engine.py`` for the I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

DOCKER_HUB = "docker.io"
_AUTH_KEYS = ("registry", "username", "password")
_LOGIN_HINT = """\
- uses: org/build-push-py@v1
  # secrets are empty on pull requests from forks: log in and push only where they exist
  if: github.event_name != 'pull_request' || !github.event.pull_request.head.repo.fork
  with:
    registry: ghcr.io
    username: ${{ github.actor }}
    password: ${{ secrets.GITHUB_TOKEN }}"""


@dataclass(frozen=True)
class RegistryLogin:
    registry: str
    username: str
    password: str

    def __repr__(self) -> str:
        return (
            f"RegistryLogin(registry={self.registry!r}, username={self.username!r}, password='***')"
        )


def _login(source: str, registry: str, username: str, password: str) -> RegistryLogin:
    registry = registry.strip() or DOCKER_HUB
    if not username:
        raise InputError(
            source,
            f"no username for {registry!r}; on pull requests from forks secrets are empty,"
            " so skip the login there or leave username and password both unset",
            hint=_LOGIN_HINT,
        )
    if not password:
        raise InputError(
            source if source == "registry-auth" else "password",
            f"no password for {registry!r} (user {username!r}); on pull requests from forks"
            " secrets are empty",
            hint=_LOGIN_HINT,
        )
    return RegistryLogin(registry, username, password)


def _auth_entry(index: int, entry: object) -> RegistryLogin:
    if not isinstance(entry, Mapping):
        raise InputError(
            "registry-auth", f"entry {index} is not a mapping; write `- registry: ghcr.io` lines"
        )
    unknown = sorted(str(k) for k in entry if k not in _AUTH_KEYS)
    if unknown:
        raise InputError(
            "registry-auth",
            f"entry {index} has unknown keys {unknown}; valid keys: {', '.join(_AUTH_KEYS)}",
        )
    values: dict[str, str] = {}
    for key in _AUTH_KEYS:
        value: Any = entry.get(key)
        # YAML reads 0123, yes or 1e3 as numbers or booleans: converting them back to text
        # could change a password, so ask for quotes instead.
        if value is not None and not isinstance(value, str):
            raise InputError(
                "registry-auth",
                f"{key} of entry {index} was read as {type(value).__name__}; quote it in the YAML",
            )
        values[key] = value or ""
    return _login("registry-auth", values["registry"], values["username"], values["password"])


def parse_logins(raw: Mapping[str, str]) -> list[RegistryLogin]:
    """Logins from ``registry``/``username``/``password`` or ``registry-auth``; none when
    every one of them is empty."""
    registry = raw.get("registry", "").strip()
    username = raw.get("username", "").strip()
    password = raw.get("password", "").strip()  # @actions/core getInput trims, secrets too
    registry_auth = raw.get("registry-auth", "")
    if registry_auth.strip():
        if registry or username or password:
            raise InputError(
                "registry-auth", "cannot be combined with registry, username or password"
            )
        import yaml  # noqa: PLC0415 - 15 ms that only registry-auth needs

        try:
            entries = yaml.safe_load(registry_auth)
        except yaml.YAMLError as exc:
            raise InputError("registry-auth", f"is not valid YAML: {exc}") from None
        if not isinstance(entries, list) or not entries:
            raise InputError(
                "registry-auth",
                "must be a YAML list of {registry, username, password} mappings",
            )
        return [_auth_entry(i, entry) for i, entry in enumerate(entries, start=1)]
    if not (registry or username or password):
        return []
    return [_login("username", registry, username, password)]


def server_address(registry: str) -> str:
    """The key docker uses for a registry in config.json (and in the engine's /auth call)."""
    if registry in (DOCKER_HUB, "index.docker.io", "registry-1.docker.io"):
        return "https://index.docker.io/v1/"
    return registry


def docker_config(logins: Sequence[RegistryLogin]) -> dict[str, Any]:
    """The ``config.json`` that ``docker login`` would leave for these logins."""
    auths = {}
    for login in logins:
        token = base64.b64encode(f"{login.username}:{login.password}".encode()).decode()
        auths[server_address(login.registry)] = {"auth": token}
    return {"auths": auths}
