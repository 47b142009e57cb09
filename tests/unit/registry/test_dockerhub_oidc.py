"""Docker Hub OIDC: when it applies, what it checks first, and the token exchange against a
local stand-in of the identity service (its 429s and its errors)."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime

import pytest
from support.identity import ID_TOKEN, REQUEST_TOKEN, Answer, Script, serving

from build_push_py.buildx.argv import redact_argv
from build_push_py.errors import InputError, LoginError
from build_push_py.registry import dockerhub_oidc as oidc
from build_push_py.registry.login import method_of, parse_logins
from build_push_py.registry.method import Credential, RegistryLogin
from build_push_py.runner.workflow import Workflow

CONNECTION = "01234567-89ab-cdef-0123-456789abcdef"
OIDC_ENV = {
    oidc.CONNECTION_ID: CONNECTION,
    "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/token?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
}


@pytest.mark.parametrize(
    ("raw", "env", "method"),
    [
        pytest.param({"username": "my-org"}, OIDC_ENV, "dockerhub-oidc", id="docker-hub-default"),
        pytest.param({"registry": "docker.io", "username": "my-org"}, OIDC_ENV, "dockerhub-oidc",
                     id="docker.io"),
        pytest.param({"registry": "registry-1.docker.io", "username": "o"}, OIDC_ENV,
                     "dockerhub-oidc", id="registry-1"),
        pytest.param({"registry": "registry-1-stage.docker.io", "username": "o"}, OIDC_ENV,
                     "dockerhub-oidc", id="stage"),
        pytest.param({"registry": "dhi.io", "username": "o"}, OIDC_ENV, "dockerhub-oidc",
                     id="dhi"),
        pytest.param({"registry-auth": "- username: my-org"}, OIDC_ENV, "dockerhub-oidc",
                     id="registry-auth"),
        pytest.param({"username": "u", "password": "p"}, OIDC_ENV, "static",
                     id="a-password-wins"),
        pytest.param({"registry": "ghcr.io", "username": "u", "password": "p"}, OIDC_ENV,
                     "static", id="other-registry"),
    ],
)  # fmt: skip
def test_when_it_applies(raw: dict[str, str], env: dict[str, str], method: str) -> None:
    [login] = parse_logins(raw, env)
    assert login.method == method


def test_without_the_variable_an_empty_password_is_still_an_error() -> None:
    with pytest.raises(InputError, match="Password required"):
        parse_logins({"username": "my-org"}, {})


def test_the_login_has_nothing_to_mask_before_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its password is empty, or it would not apply: no mask, nothing redacted."""
    [login] = parse_logins({"username": "my-org"}, OIDC_ENV)
    secrets = method_of(login).secrets(login)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)  # where github-action-utils prints masks
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out=out)
    for secret in secrets:
        wf.mask(secret)
    assert out.getvalue() == ""
    argv = ["docker", "login", "--username", "my-org", "--password-stdin", ""]
    assert redact_argv(argv, secrets) == "docker login --username my-org --password-stdin ''"


@pytest.mark.parametrize(
    ("raw", "env", "match"),
    [
        pytest.param({"username": "o"}, {**OIDC_ENV, oidc.CONNECTION_ID: ""},
                     r"'DOCKERHUB_OIDC_CONNECTIONID': is set but empty", id="empty-id"),
        pytest.param({"username": "o"}, {**OIDC_ENV, oidc.CONNECTION_ID: "conn-1"},
                     r"'DOCKERHUB_OIDC_CONNECTIONID': is not a UUID", id="not-a-uuid"),
        pytest.param({"username": "o"}, {**OIDC_ENV, oidc.EXPIRES_IN: "299"},
                     r"'DOCKERHUB_OIDC_EXPIREIN': must be a number of seconds from 300 to 3600",
                     id="too-short"),
        pytest.param({"username": "o"}, {**OIDC_ENV, oidc.EXPIRES_IN: "21600"},
                     r"from 300 to 3600", id="too-long"),
        pytest.param({"username": "o"}, {**OIDC_ENV, oidc.EXPIRES_IN: "5m"},
                     r"from 300 to 3600", id="not-a-number"),
        pytest.param({"registry": "docker.io"}, OIDC_ENV,
                     r"'username': Username required for 'docker.io': with "
                     r"DOCKERHUB_OIDC_CONNECTIONID, the organisation", id="no-username"),
        pytest.param({"username": "o"}, {oidc.CONNECTION_ID: CONNECTION},
                     r"needs the job's OIDC token.*id-token: write", id="no-id-token"),
    ],
)  # fmt: skip
def test_checked_before_anything_runs(raw: dict[str, str], env: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_logins(raw, env)


@pytest.mark.parametrize(
    ("value", "attempt", "expected"),
    [
        (None, 0, 1.0), (None, 2, 4.0), ("3", 0, 3.0), ("0", 4, 0.0), ("600", 0, 60.0),
        ("Mon, 07 Dec 2026 12:00:05 GMT", 0, 5.0), ("Mon, 07 Dec 2026 11:00:00 GMT", 0, 0.0),
        ("soon", 1, 2.0),
    ],
    ids=repr,
)  # fmt: skip
def test_retry_after(value: str | None, attempt: int, expected: float) -> None:
    now = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
    assert oidc.retry_after(value, attempt, now) == expected


def run(
    script: Script, registry: str = "docker.io", env: dict[str, str] | None = None
) -> tuple[list[Credential], list[str], list[float]]:
    masked: list[str] = []
    waits: list[float] = []
    with serving(script) as url:
        env = {**OIDC_ENV, "ACTIONS_ID_TOKEN_REQUEST_URL": f"{url}/token?api-version=2.0",
               **(env or {})}  # fmt: skip
        login = RegistryLogin(registry, "my-org", "", method="dockerhub-oidc")
        creds = oidc.obtain(
            login, env, masked.append, lambda line: None, identity_url=url, sleep=waits.append
        )
    return list(creds), masked, waits


def test_the_exchange() -> None:
    script = Script()
    creds, masked, waits = run(script, env={oidc.EXPIRES_IN: "900"})
    assert creds == [Credential("docker.io", "my-org", "hub-token-Zq7")]
    assert masked == [ID_TOKEN, "hub-token-Zq7"]
    assert script.authorizations == [f"bearer {REQUEST_TOKEN}"]
    assert script.id_requests == [
        {"api-version": ["2.0"], "audience": ["https://identity.docker.com"]}
    ]
    assert script.exchanges == [{
        "grant_type": ["urn:ietf:params:oauth:grant-type:token-exchange"],
        "subject_token_type": ["urn:ietf:params:oauth:token-type:id_token"],
        "subject_token": [ID_TOKEN],
        "connection_id": [CONNECTION],
        "expires_in": ["900"],
    }]  # fmt: skip
    assert waits == []


def test_stage_asks_its_own_audience() -> None:
    script = Script()
    run(script, registry="registry-1-stage.docker.io")
    assert script.id_requests[0]["audience"] == ["https://identity-stage.docker.com"]


def test_429_is_tried_again_after_retry_after() -> None:
    busy = Answer(429, {"error": "slow down"}, {"Retry-After": "2"})
    script = Script([busy, busy, Answer(200, {"access_token": "hub-token-Zq7"})])
    creds, _, waits = run(script)
    assert creds[0].password == "hub-token-Zq7"
    assert waits == [2.0, 2.0]
    assert len(script.exchanges) == 3


def test_429_five_times_then_the_error() -> None:
    script = Script([Answer(429, "rate limited", {"Retry-After": "1"})])
    with pytest.raises(LoginError, match=r"failed: HTTP 429: rate limited"):
        run(script)
    assert len(script.exchanges) == 6  # the first try and five more


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        pytest.param(Answer(400, {"error": "invalid_grant", "error_description": "none"}),
                     r'HTTP 400: \{"error": "invalid_grant", "error_description": "none"\}',
                     id="error-body-in-the-error"),
        pytest.param(Answer(403, "::warning::pwned\nsecond line"),
                     r"HTTP 403: ::warning::pwned second line$", id="one-line"),
        pytest.param(Answer(200, {"token": "x"}), r"the answer holds no token", id="no-token"),
        pytest.param(Answer(500, ""), r"failed: HTTP 500$", id="empty-body"),
    ],
)  # fmt: skip
def test_errors(answer: Answer, match: str) -> None:
    with pytest.raises(LoginError, match=match) as caught:
        run(Script([answer]))
    assert ID_TOKEN not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_refused_id_token_request() -> None:
    with serving(Script()) as url:
        env = {**OIDC_ENV, "ACTIONS_ID_TOKEN_REQUEST_URL": f"{url}/token",
               "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "wrong"}  # fmt: skip
        with pytest.raises(
            LoginError, match=r"request of the job.s OIDC token failed: HTTP 401"
        ) as caught:
            oidc.obtain(RegistryLogin("docker.io", "o", ""), env, lambda text: None,
                        lambda line: None, identity_url=url)  # fmt: skip
    assert "wrong" not in str(caught.value)
