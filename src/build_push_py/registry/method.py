"""What a login asks for, what it obtains, and the shape of a way to obtain it.

A ``RegistryLogin`` is one login as the inputs give it (``registry``/``username``/``password``
or one ``registry-auth`` entry), with the method chosen for it when the inputs are parsed. A
method turns it into ``Credential``s, the username and password ``docker login`` would store:
the same ones for a static login, an AWS token per registry for ECR, a Docker Hub token for
OIDC. Each method is one module with a ``METHOD``; ``login.METHODS`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RegistryLogin:
    registry: str
    username: str
    password: str
    method: str = "static"  # the NAME of one of login.METHODS, or static's
    # login-action's scope (credentials for one repository, for buildx only), as given
    scope: str = ""
    # login-action's ecr: auto, true or false (what it chose is ``method``)
    ecr: str = field(default="auto", compare=False)

    def __repr__(self) -> str:
        return (
            f"RegistryLogin(registry={self.registry!r}, username={self.username!r},"
            f" password='***', method={self.method!r}, scope={self.scope!r})"
        )


@dataclass(frozen=True)
class Credential:
    """A username and password for one registry, as a login stores them."""

    registry: str
    username: str
    password: str
    # whether the username may be printed (an AWS username is masked, as login-action does)
    show_username: bool = True

    def __repr__(self) -> str:
        return f"Credential(registry={self.registry!r}, password='***')"


Mask = Callable[[str], None]
Log = Callable[[str], None]


@dataclass(frozen=True)
class Where:
    """Where a login was given, for its errors: the input to name, and the number of its
    ``registry-auth`` entry (0 for the top-level inputs), whose text is never quoted."""

    source: str
    entry: int = 0

    def describe(self, registry: str) -> str:
        return f"entry {self.entry}" if self.entry else repr(registry)

    def input(self, name: str) -> str:
        """The input an error about ``name`` (a top-level login input) names."""
        return self.source if self.entry else name


@dataclass(frozen=True)
class LoginMethod:
    """One way to obtain credentials. ``applies`` picks it (the first that applies wins),
    ``check`` raises ``InputError`` when the inputs or the environment cannot work (called
    when the inputs are parsed, before anything runs), ``secrets`` is what of the login to
    mask besides the password, and ``obtain`` gets the credentials, masking each secret
    part with ``mask`` as soon as it has it, and saying what it does with ``log``."""

    name: str
    applies: Callable[[RegistryLogin, Mapping[str, str]], bool]
    check: Callable[[RegistryLogin, Mapping[str, str], Where], None]
    obtain: Callable[[RegistryLogin, Mapping[str, str], Mask, Log], Sequence[Credential]]
    secrets: Callable[[RegistryLogin], Sequence[str]] = lambda login: (login.password,)
