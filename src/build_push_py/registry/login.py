"""Registry logins, as docker/login-action v4 reads them, and the config they leave.

A login is what ``docker login`` does: the engine checks the credentials against the
registry (``POST /auth``), then they are stored in a ``config.json``. Here that file lives
in a Docker config directory of the action's own, so the host's credentials are untouched
and ``buildx --push`` finds them there. See ``engine.py`` for the I/O.

Unlike login-action, leaving ``registry``, ``username``, ``password`` and ``registry-auth``
all empty means no login (a build that pushes nowhere needs none), not the error
``Username and password required``. AWS ECR logins through the AWS SDK and ``scope``d
credentials are not done here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

DOCKER_HUB = "docker.io"
_AUTH_KEYS = ("registry", "username", "password")
_IGNORED_KEYS = ("ecr", "scope")  # login-action's too; see _auth_entry
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


def _login(
    source: str, registry: str, username: str, password: str, entry: int = 0
) -> RegistryLogin:
    """``entry``: the number of a ``registry-auth`` entry, whose text is never quoted (a
    missing space or indent there can put the password into another value)."""
    registry = registry.strip() or DOCKER_HUB
    where = f"entry {entry}" if entry else repr(registry)
    # login-action's messages, then where and why
    if not username:
        missing = "Username required" if password else "Username and password required"
        raise InputError(
            source,
            f"{missing} for {where}; on pull requests from forks secrets are empty,"
            " so skip the login there or leave username and password both unset",
            hint=_LOGIN_HINT,
        )
    if not password:
        raise InputError(
            source if entry else "password",
            f"Password required for {where}{'' if entry else f' (user {username!r})'};"
            " on pull requests from forks secrets are empty",
            hint=_LOGIN_HINT,
        )
    return RegistryLogin(registry, username, password)


def _auth_entry(index: int, entry: object) -> RegistryLogin:
    if not isinstance(entry, Mapping):
        raise InputError(
            "registry-auth", f"entry {index} is not a mapping; write `- registry: ghcr.io` lines"
        )
    if any(key not in (*_AUTH_KEYS, *_IGNORED_KEYS) for key in entry):
        # never shown: `{username: u, password:secret}` makes `password:secret` a key
        # (login-action ignores unknown keys, and so would use no password at all)
        raise InputError(
            "registry-auth",
            f"entry {index} has a key other than {', '.join((*_AUTH_KEYS, *_IGNORED_KEYS))}"
            " (is a space missing after a colon?)",
        )
    # login-action logs in through the AWS SDK when ecr matches /true/i (or is auto on an
    # ECR registry): with ecr: true the username and password are AWS keys, which a plain
    # login would send to the registry. auto and false change nothing for a plain login.
    if re.search("true", str(entry.get("ecr") or ""), re.IGNORECASE):
        raise InputError(
            "registry-auth",
            f"entry {index}: ecr: true (a login through the AWS SDK) is not supported here;"
            " log in with username AWS and the password of `aws ecr get-login-password`",
        )
    if entry.get("scope"):
        raise InputError(
            "registry-auth",
            f"entry {index}: scope is not supported here (one Docker config holds every"
            " login of the job); remove it",
        )
    values: dict[str, str] = {}
    for key in _AUTH_KEYS:
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
    return _login(
        "registry-auth", values["registry"], values["username"], values["password"], index
    )


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


_PASSWORD_KEY = re.compile(r"\bpassword\s*:")
_AROUND_VALUE = " \t'\"[]{}"


def password_texts(registry_auth: str) -> list[str]:
    """What follows ``password:`` on each line of ``registry-auth``, read without YAML (the
    text may not parse) for masking: stripped of blanks, quotes and brackets, and also cut
    at the ``,``, ``}`` or ``]`` that may end it in a flow collection."""
    found: list[str] = []
    for line in registry_auth.splitlines():
        for key in _PASSWORD_KEY.finditer(line):
            rest = line[key.end() :]
            found.append(rest.strip(_AROUND_VALUE))
            found.append(re.split(r"[,}\]]", rest, maxsplit=1)[0].strip(_AROUND_VALUE))
    return [text for text in dict.fromkeys(found) if text]


def parse_logins(raw: Mapping[str, str]) -> list[RegistryLogin]:
    """Logins from ``registry``/``username``/``password`` or ``registry-auth``; none when
    every one of them is empty."""
    registry = raw.get("registry", "").strip()
    username = raw.get("username", "").strip()
    password = raw.get("password", "").strip()  # @actions/core getInput trims, secrets too
    registry_auth = raw.get("registry-auth", "")
    if registry_auth.strip():
        given = {"registry": registry, "username": username, "password": password}
        others = [name for name, value in given.items() if value]
        if others:
            raise InputError(
                "registry-auth",
                f"Cannot use registry-auth with other inputs ({', '.join(others)} set; logout"
                " is allowed): put every login into registry-auth",
            )
        import yaml  # noqa: PLC0415 - 15 ms that only registry-auth needs

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
