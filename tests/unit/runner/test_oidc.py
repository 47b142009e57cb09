"""The job's OIDC token request (runner/oidc.py) against local stand-ins of the runner's token
endpoint (tests/support/identity.py): what it sends, and where it never sends the bearer."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from support.identity import ID_TOKEN, REQUEST_TOKEN, Script, serving

from build_push_py.errors import OidcError
from build_push_py.runner import oidc


def _env(url: str) -> dict[str, str]:
    return {"ACTIONS_ID_TOKEN_REQUEST_URL": url, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN}


def test_the_token_request() -> None:
    script = Script()
    with serving(script) as url:
        assert oidc.id_token(_env(f"{url}/token?api-version=2.0"), "sigstore") == ID_TOKEN
    assert script.authorizations == [f"bearer {REQUEST_TOKEN}"]
    assert script.id_requests == [{"api-version": ["2.0"], "audience": ["sigstore"]}]


def test_a_redirect_of_the_token_request_is_not_followed() -> None:
    """urllib would ask the redirect's target again, with the runner's bearer token."""
    elsewhere = Script()
    with serving(elsewhere) as other:
        redirecting = Script(redirect=f"{other}/token?audience=sigstore")
        refused = r"^the request of the job's OIDC token failed: HTTP 302$"
        with serving(redirecting) as url, pytest.raises(OidcError, match=refused):
            oidc.id_token(_env(f"{url}/token"), "sigstore")
    assert redirecting.authorizations == [f"bearer {REQUEST_TOKEN}"]
    assert elsewhere.authorizations == []
    assert elsewhere.id_requests == []


@contextmanager
def _not_http() -> Iterator[str]:
    """A server that answers every connection with a line that is not HTTP."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_an_answer_that_is_not_http_is_an_oidc_error() -> None:
    """http.client's own errors (BadStatusLine here) are no OSError."""
    with _not_http() as url, pytest.raises(OidcError, match=r"^the request of .* failed: "):
        oidc.id_token(_env(f"{url}/token"), "sigstore")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/token"])
def test_a_url_that_is_not_http_is_not_asked(url: str) -> None:
    with pytest.raises(OidcError, match=r"failed: the URL is not http or https$"):
        oidc.id_token(_env(url), "sigstore")


@pytest.mark.parametrize(
    ("env", "can"),
    [
        pytest.param(_env("http://runner.test/token"), True, id="both"),
        pytest.param({}, False, id="neither"),
        pytest.param({"ACTIONS_ID_TOKEN_REQUEST_URL": "http://runner.test/token"}, False,
                     id="no-bearer"),
        pytest.param({"ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN}, False, id="no-url"),
        pytest.param({**_env("http://runner.test/token"), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": ""},
                     False, id="empty-bearer"),
    ],
)  # fmt: skip
def test_can_request(env: dict[str, str], can: bool) -> None:
    assert oidc.can_request(env) is can


def _part(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


PADDED = base64.urlsafe_b64encode(b'{"a":1}').decode()  # "eyJhIjoxfQ=="
NOT_UTF_8 = base64.urlsafe_b64encode(b"\xff\xfe\x00").decode()


@pytest.mark.parametrize(
    ("token", "claims"),
    [
        pytest.param(f"{_part({'alg': 'RS256'})}.{_part({'sub': 'repo:o/r'})}.c2ln",
                     {"sub": "repo:o/r"}, id="unpadded"),
        pytest.param(f"h.{_part({'scp': 'Actions.Results:1:1', 'n': 'é'})}.",
                     {"scp": "Actions.Results:1:1", "n": "é"}, id="no-signature"),
        pytest.param(f"h.{PADDED}.s", {"a": 1}, id="padded"),
    ],
)  # fmt: skip
def test_jwt_claims(token: str, claims: dict[str, object]) -> None:
    assert oidc.jwt_claims(token) == claims


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        pytest.param("opaque", "is not a JWT", id="one-part"),
        pytest.param("a.b.c.d", "is not a JWT", id="four-parts"),
        pytest.param("a.!!!.c", "has unreadable claims", id="not-base64"),
        pytest.param(f"a.{_part('x')[:-1]}.c", "has unreadable claims", id="not-json"),
        pytest.param(f"a.{_part(['a', 'list'])}.c", "has unreadable claims", id="not-an-object"),
        pytest.param(f"a.{NOT_UTF_8}.c", "has unreadable claims", id="not-utf-8"),
    ],
)  # fmt: skip
def test_unreadable_jwt_claims(token: str, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^{reason}$"):
        oidc.jwt_claims(token)
