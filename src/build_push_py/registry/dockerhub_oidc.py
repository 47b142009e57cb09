"""Docker Hub without a stored secret, as docker/login-action v4.5-v4.6 logs in: the job's
GitHub OIDC token is exchanged for a short-lived Docker Hub token of an OIDC connection.

It applies when ``DOCKERHUB_OIDC_CONNECTIONID`` is set (set and empty is an error) and the
password is empty, on Docker Hub, its staging registry or dhi.io; the username is the
organisation. The exchange is OAuth 2.0 token exchange (RFC 8693) at the identity service;
a 429 is tried again after its ``Retry-After``, five times at most.
"""

from __future__ import annotations

import contextlib
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..errors import InputError
from ..runner import oidc
from .method import Credential, Log, LoginMethod, Mask, RegistryLogin, Where

if TYPE_CHECKING:
    import urllib.request

CONNECTION_ID = "DOCKERHUB_OIDC_CONNECTIONID"
EXPIRES_IN = "DOCKERHUB_OIDC_EXPIREIN"
DEFAULT_EXPIRES_IN = 300
EXPIRES_RANGE = (300, 3600)
REGISTRIES = frozenset(
    {"docker.io", "registry-1.docker.io", "registry-1-stage.docker.io", "dhi.io"}
)
STAGE_REGISTRY = "registry-1-stage.docker.io"
IDENTITY_HOST = "identity.docker.com"
STAGE_IDENTITY_HOST = "identity-stage.docker.com"
MAX_429_RETRIES = 5
LONGEST_WAIT = 60.0
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
HINT = """\
permissions:
  id-token: write  # the job's OIDC token, exchanged for a Docker Hub token
env:
  DOCKERHUB_OIDC_CONNECTIONID: 01234567-89ab-cdef-0123-456789abcdef
steps:
  - uses: org/build-push-py@v1
    with:
      username: my-org  # the organisation of the OIDC connection; no password"""


def identity_host(registry: str) -> str:
    return STAGE_IDENTITY_HOST if registry == STAGE_REGISTRY else IDENTITY_HOST


def expires_in(env: Mapping[str, str]) -> int:
    """``DOCKERHUB_OIDC_EXPIREIN``: the token's lifetime in seconds, 300 to 3600."""
    text = env.get(EXPIRES_IN, "").strip()
    if not text:
        return DEFAULT_EXPIRES_IN
    low, high = EXPIRES_RANGE
    if not (text.isascii() and text.isdigit() and len(text) <= 6 and low <= int(text) <= high):
        raise InputError(
            EXPIRES_IN,
            f"must be a number of seconds from {low} to {high}",
            hint=f"env:\n  {EXPIRES_IN}: '{DEFAULT_EXPIRES_IN}'",
        )
    return int(text)


def _applies(login: RegistryLogin, env: Mapping[str, str]) -> bool:
    return CONNECTION_ID in env and not login.password and login.registry in REGISTRIES


def _check(login: RegistryLogin, env: Mapping[str, str], where: Where) -> None:
    connection = env[CONNECTION_ID].strip()
    if not connection:
        raise InputError(
            CONNECTION_ID, "is set but empty: give the id (a UUID) of the OIDC connection", HINT
        )
    if not _UUID.fullmatch(connection):
        raise InputError(
            CONNECTION_ID, "is not a UUID (01234567-89ab-cdef-0123-456789abcdef)", HINT
        )
    expires_in(env)
    if not login.username:
        raise InputError(
            where.input("username"),
            f"Username required for {where.describe(login.registry)}: with"
            f" {CONNECTION_ID}, the organisation of the OIDC connection",
            HINT,
        )
    if not oidc.can_request(env):
        raise InputError(
            CONNECTION_ID,
            "Docker Hub OIDC needs the job's OIDC token, which this job may not ask for:"
            " grant it `permissions: id-token: write`",
            HINT,
        )


def retry_after(value: str | None, attempt: int, now: datetime) -> float:
    """Seconds to wait after a 429: its ``Retry-After`` (seconds or an HTTP date), else
    1, 2, 4 ... seconds; never more than a minute."""
    wait = float(2**attempt)
    import email.utils  # noqa: PLC0415 - what a run without this login does not import

    text = (value or "").strip()
    if text.isascii() and text.isdigit():
        wait = float(text[:6])  # more digits than that wait the longest anyway
    elif text:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            wait = (email.utils.parsedate_to_datetime(text) - now).total_seconds()
    return max(0.0, min(wait, LONGEST_WAIT))


def exchange(
    url: str,
    form: Mapping[str, str],
    env: Mapping[str, str],
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str:
    """The Docker Hub token the identity service at ``url`` gives for ``form``."""
    what = f"Docker Hub OIDC token exchange at {urllib.parse.urlsplit(url).hostname}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = oidc.ask(url, env, what, headers=headers, form=form)
    for attempt in range(MAX_429_RETRIES):
        if answer.status != 429:
            break
        sleep(retry_after(answer.retry_after, attempt, now()))
        answer = oidc.ask(url, env, what, headers=headers, form=form)
    return oidc.token(answer, what, "access_token")


def obtain(
    login: RegistryLogin,
    env: Mapping[str, str],
    mask: Mask,
    log: Log,
    *,
    identity_url: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> Sequence[Credential]:
    """The job's OIDC token for the identity service, exchanged for a Docker Hub token of
    the connection; ``identity_url``: the service's, in place of ``https://<its host>``."""
    host = identity_host(login.registry)
    audience = f"https://{host}"
    log(f"Exchanging the job's OIDC token for a Docker Hub token at {host}...")
    subject = oidc.id_token(env, audience)
    mask(subject)
    token = exchange(
        f"{identity_url or audience}/oauth/token",
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "subject_token": subject,
            "connection_id": env[CONNECTION_ID].strip(),
            "expires_in": str(expires_in(env)),
        },
        env,
        sleep=sleep,
    )
    mask(token)
    return [Credential(login.registry, login.username, token)]


# Nothing of the login to mask: its password is empty (else the method does not apply), and
# an empty text is neither masked nor redacted.
METHOD = LoginMethod("dockerhub-oidc", _applies, _check, obtain)
