"""A login with the username and password as given (``docker login -u -p``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import InputError
from .method import Credential, Log, LoginMethod, Mask, RegistryLogin, Where

HINT = """\
- uses: org/build-push-py@v1
  # secrets are empty on pull requests from forks: log in and push only where they exist
  if: github.event_name != 'pull_request' || !github.event.pull_request.head.repo.fork
  with:
    registry: ghcr.io
    username: ${{ github.actor }}
    password: ${{ secrets.GITHUB_TOKEN }}"""


def _check(login: RegistryLogin, env: Mapping[str, str], where: Where) -> None:
    # login-action's messages, then where and why
    place = where.describe(login.registry)
    if not login.username:
        missing = "Username required" if login.password else "Username and password required"
        raise InputError(
            where.input("username"),
            f"{missing} for {place}; on pull requests from forks secrets are empty,"
            " so skip the login there or leave username and password both unset",
            hint=HINT,
        )
    if not login.password:
        user = "" if where.entry else f" (user {login.username!r})"
        raise InputError(
            where.input("password"),
            f"Password required for {place}{user}; on pull requests from forks secrets are empty",
            hint=HINT,
        )


def _obtain(
    login: RegistryLogin, env: Mapping[str, str], mask: Mask, log: Log
) -> Sequence[Credential]:
    return [Credential(login.registry, login.username, login.password)]


METHOD = LoginMethod("static", lambda login, env: True, _check, _obtain)
