"""The job's OIDC token (``ACTIONS_ID_TOKEN_REQUEST_URL``, with ``id-token: write``) and
the HTTPS requests made with it, through the step's proxy settings: a runner service that a
Docker Hub OIDC login exchanges and keyless signing reads a claim of. And the claims of a
JWT, the form of the runner's tokens, read without verifying them.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import OidcError
from . import http

TIMEOUT = 30.0
# What a job that may ask for its OIDC token (``permissions: id-token: write``) is given: the
# URL to ask and the bearer token to ask with.
REQUEST_VARIABLES = ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")


def can_request(env: Mapping[str, str]) -> bool:
    """Whether this job may ask for its OIDC token: both ``REQUEST_VARIABLES`` set, not
    empty."""
    return all(env.get(name) for name in REQUEST_VARIABLES)


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of ``token``, a JWT, read without verifying its signature; ``ValueError``
    saying why when they cannot be read ("is not a JWT", "has unreadable claims")."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:  # binascii.Error and UnicodeDecodeError among them
        claims = None
    if not isinstance(claims, dict):
        raise ValueError("has unreadable claims")
    return claims


def one_line(body: bytes) -> str:
    """An answer's text for an error line: one line, no control characters, 300 at most."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", body.decode("utf-8", "replace")).strip()
    return text[:300] + ("..." if len(text) > 300 else "")


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None
    body: bytes


def ask(url: str, env: Mapping[str, str], what: str, *, headers: Mapping[str, str],
         form: Mapping[str, str] | None = None) -> Answer:  # fmt: skip
    """One GET (or POST of ``form``) and its answer, whatever its status; ``OidcError``
    naming ``what`` when there is none."""
    from http.client import HTTPException  # noqa: PLC0415 - see runner/http.py

    body = urllib.parse.urlencode(form).encode() if form is not None else b""
    request = http.Request(
        "GET" if form is None else "POST", url, {"Accept": "application/json", **headers}, body
    )
    try:
        response = http.sender(http.proxies(url, env), timeout=TIMEOUT)(request)
    except (OSError, HTTPException, ValueError) as exc:
        raise OidcError(f"{what} failed: {str(exc) or type(exc).__name__}") from None
    return Answer(response.status, response.headers.get("retry-after"), response.body)


def token(answer: Answer, what: str, key: str) -> str:
    """The token under ``key`` of a 200 answer's JSON; else ``OidcError`` naming ``what``,
    with the answer's text (one line) when it has some."""
    if answer.status != 200:
        detail = f": {one_line(answer.body)}" if answer.body.strip() else ""
        raise OidcError(f"{what} failed: HTTP {answer.status}{detail}")
    token = json_object(answer.body).get(key)
    if not isinstance(token, str) or not token:
        raise OidcError(f"{what}: the answer holds no token")
    return token


def id_token(env: Mapping[str, str], audience: str) -> str:
    """The job's OIDC token for ``audience`` (what @actions/core getIDToken asks)."""
    url = env["ACTIONS_ID_TOKEN_REQUEST_URL"]
    url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"audience": audience})
    bearer = {"Authorization": f"bearer {env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"}
    what = "the request of the job's OIDC token"
    return token(ask(url, env, what, headers=bearer), what, "value")
