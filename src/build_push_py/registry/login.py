"""Registry logins, as docker/login-action v4.6 reads them, and the config they leave.

Each login (``registry``/``username``/``password``/``ecr``/``scope``, or an entry of
``registry-auth``) is parsed into a ``RegistryLogin`` with the method that will obtain its
credentials: the first of ``METHODS`` that applies, else the username and password as given.
A method's own checks run here, before anything is built. Obtaining and checking the
credentials is I/O (``steps.login``, ``engine.py``); ``docker_config`` is the ``config.json``
that ``docker login`` would leave for them.

Unlike login-action, leaving ``registry``, ``username``, ``password`` and ``registry-auth``
all empty means no login (a build that pushes nowhere needs none), not the error
``Username and password required``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from ..errors import InputError
from . import dockerhub_oidc, ecr, scope, static
from .method import Credential, LoginMethod, RegistryLogin, Where

# How credentials are obtained, first match first; a static login is what remains.
METHODS: tuple[LoginMethod, ...] = (ecr.METHOD, dockerhub_oidc.METHOD)
_BY_NAME = {method.name: method for method in (*METHODS, static.METHOD)}

DOCKER_HUB = "docker.io"
_KEYS = ("registry", "username", "password", "ecr", "scope")
_TEXT_KEYS = tuple(key for key in _KEYS if key != "ecr")  # ecr may be a YAML boolean
NO_ENV: Mapping[str, str] = MappingProxyType({})


def method_of(login: RegistryLogin) -> LoginMethod:
    return _BY_NAME[login.method]


def _login(where: Where, given: Mapping[str, Any], env: Mapping[str, str]) -> RegistryLogin:
    """One login from its fields (``registry``, ``username``, ``password``, ``ecr``,
    ``scope``; missing ones empty), with its method, checked."""
    registry = (given.get("registry") or "").strip() or DOCKER_HUB
    login = RegistryLogin(
        registry,
        given.get("username") or "",
        given.get("password") or "",
        scope=scope.effective(given.get("scope") or "", env),
        ecr=ecr.parse_mode(given.get("ecr"), where),
    )
    method = next((m for m in METHODS if m.applies(login, env)), static.METHOD)
    method.check(login, env, where)
    if login.scope:
        scope.check(registry, login.scope, where)
        scope.check_env(env, where)
    return replace(login, method=method.name)


def _auth_entry(index: int, entry: object, env: Mapping[str, str]) -> RegistryLogin:
    if not isinstance(entry, Mapping):
        raise InputError(
            "registry-auth", f"entry {index} is not a mapping; write `- registry: ghcr.io` lines"
        )
    if any(key not in _KEYS for key in entry):
        # never shown: `{username: u, password:secret}` makes `password:secret` a key
        # (login-action ignores unknown keys, and so would use no password at all)
        raise InputError(
            "registry-auth",
            f"entry {index} has a key other than {', '.join(_KEYS)}"
            " (is a space missing after a colon?)",
        )
    values: dict[str, str] = {}
    for key in _TEXT_KEYS:
        value: Any = entry.get(key)
        # YAML reads 0123, yes or 1e3 as numbers or booleans: converting them back to text
        # could change a password, so ask for quotes instead.
        if value is not None and not isinstance(value, str):
            raise InputError(
                "registry-auth",
                f"entry {index}: `{key}` is not a string (YAML read it as {type(value).__name__});"
                " quote it",
            )
        values[key] = value or ""
    return _login(Where("registry-auth", index), {**values, "ecr": entry.get("ecr")}, env)


# PyYAML's own names of tokens and the punctuation it expects; any other quoted text in its
# messages comes from the document (an alias, a tag, a character).
_YAML_WORD = re.compile(r"'(?:<[a-z ]+>|[\[\]{},:?-])'")
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def _without_text(message: str) -> str:
    return _QUOTED.sub(
        lambda m: m.group(0) if _YAML_WORD.fullmatch(m.group(0)) else "(not shown)", message
    )


def _yaml_problem(text: str, exc: Exception) -> str:
    """Where and what kind of problem PyYAML found, without the text it would quote."""
    import yaml  # noqa: PLC0415 - see parse_logins

    if isinstance(exc, RecursionError):
        return "nests too deeply to be read"
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}"
        context = f" ({_without_text(exc.context)})" if exc.context else ""
        return f"is not valid YAML{where}: {_without_text(exc.problem or '')}{context}"
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        return f"is not valid YAML at line {line}, column {column}: a control character"
    if isinstance(exc, yaml.YAMLError):
        return "is not valid YAML"
    # what PyYAML's constructors raise for `!!int x`, `!!bool`, `!!timestamp x` ...
    return "a value does not fit its tag (!!int, !!float, !!timestamp); quote it"


def parse_logins(raw: Mapping[str, str], env: Mapping[str, str] = NO_ENV) -> list[RegistryLogin]:
    """Logins from ``registry``/``username``/``password`` or ``registry-auth``, each with
    its method; none when all of those are empty. ``env`` is the step's environment, which
    some methods read (``DOCKERHUB_OIDC_CONNECTIONID``, ``AWS_REGION`` ...)."""
    # @actions/core getInput trims every input, secrets too
    given = {name: raw.get(name, "").strip() for name in _KEYS}
    registry_auth = raw.get("registry-auth", "")
    if registry_auth.strip():
        others = [name for name, value in given.items() if value]
        if others:
            raise InputError(
                "registry-auth",
                f"Cannot use registry-auth with other inputs ({', '.join(others)} set; logout"
                " is allowed): put every login into registry-auth",
            )
        import yaml  # noqa: PLC0415 - only registry-auth needs it (bench/dry_run.py)

        try:
            entries = yaml.safe_load(registry_auth)
        # PyYAML quotes the text around a problem, and on hostile text raises more than
        # YAMLError (`!!int x`: ValueError, `!!int` alone: IndexError, `!!bool` alone:
        # KeyError, `!!timestamp x`: AttributeError, 5000 `[`: RecursionError): none of it
        # may reach the user, the password is in that text.
        except (
            yaml.YAMLError, ValueError, TypeError, AttributeError, LookupError, RecursionError,
            OverflowError,
        ) as exc:  # fmt: skip
            raise InputError("registry-auth", _yaml_problem(registry_auth, exc)) from None
        if not isinstance(entries, list):
            raise InputError(
                "registry-auth",
                "must be a YAML list of {registry, username, password} mappings",
            )
        if not entries:
            raise InputError("registry-auth", "No registry to login: the list is empty")
        return [_auth_entry(i, entry, env) for i, entry in enumerate(entries, start=1)]
    if not (given["registry"] or given["username"] or given["password"]):
        return []
    return [_login(Where("username"), given, env)]


def hostname(registry: str) -> str:
    """The registry's host as ``docker login`` keeps it: no scheme, no path
    (cli/config/credentials ConvertToHostname), so an ECR proxy endpoint
    ``https://<account>.dkr.ecr...`` is its host."""
    for scheme in ("http://", "https://"):
        if registry.startswith(scheme):
            registry = registry[len(scheme) :]
            break
    return registry.partition("/")[0]


def server_address(registry: str) -> str:
    """The key docker uses for a registry in config.json (and in the engine's /auth call)."""
    if registry in (DOCKER_HUB, "index.docker.io", "registry-1.docker.io"):
        return "https://index.docker.io/v1/"
    return hostname(registry)


def docker_config(credentials: Sequence[Credential]) -> dict[str, Any]:
    """The ``config.json`` that ``docker login`` would leave for these credentials."""
    auths = {}
    for cred in credentials:
        token = base64.b64encode(f"{cred.username}:{cred.password}".encode()).decode()
        auths[server_address(cred.registry)] = {"auth": token}
    return {"auths": auths}


def docker_configs(
    obtained: Sequence[tuple[RegistryLogin, Sequence[Credential]]],
) -> dict[str, dict[str, Any]]:
    """The ``config.json`` files the logins leave, by directory: ``""`` for the action's
    Docker config, else a scope's directory, relative to buildx's config directory."""
    where: dict[str, list[Credential]] = {}
    for login, credentials in obtained:
        for cred in credentials:
            path = scope.config_path(hostname(cred.registry), login.scope) if login.scope else ""
            where.setdefault(path, []).append(cred)
    return {path: docker_config(creds) for path, creds in where.items()}
