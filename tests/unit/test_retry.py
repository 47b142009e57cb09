"""The retry policy: which failures are retried, how long it waits, when it gives up.

The error texts are the ones the Docker engine 26.1 and BuildKit 0.13 printed here against a
registry behind tests/support/faults.py, and the ones they print for failed builds.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from build_push_py.errors import ActionError, EngineError
from build_push_py.retry import (
    RetryPolicy,
    Verdict,
    backoff,
    classify,
    registry_failure,
    wait_for,
    with_retries,
)

HOST = "https://reg-a.test:37461"
BLOB = f"{HOST}/v2/exp/a/blobs/sha256:c0ebbc48555593f9f5e52e23686dd4fb2e653ce5ef402f102a81d3"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(f"ERROR: failed to solve: failed to push x: unexpected status from HEAD "
                     f"request to {BLOB}: 503 Service Unavailable", "503 Service Unavailable",
                     id="buildx-503"),
        pytest.param(f"failed to push x: unexpected status from PUT request to {BLOB}: "
                     "502 Bad Gateway", "502 Bad Gateway", id="buildx-502"),
        pytest.param(f"unexpected status from HEAD request to {BLOB}: 429 Too Many Requests",
                     "429 Too Many Requests", id="buildx-429"),
        pytest.param(f'failed to do request: Head "{BLOB}": read tcp [::1]:49998->[::1]:39489: '
                     "read: connection reset by peer", "connection reset", id="buildx-reset"),
        pytest.param(f'login to reg-a.test:1 as u failed: Get "{HOST}/v2/": read tcp '
                     "[::1]:55244->[::1]:33337: read: connection reset by peer",
                     "connection reset", id="login-reset"),
        pytest.param(f'login to reg-a.test:1 as u failed: Get "{HOST}/v2/": dial tcp '
                     "[::1]:1: connect: connection refused", "connection refused",
                     id="login-refused"),
        pytest.param(f'Get "{HOST}/v2/": EOF', "connection closed early", id="login-eof"),
        pytest.param(f"login attempt to {HOST}/v2/ failed with status: 503 Service Unavailable",
                     "503 Service Unavailable", id="login-503"),
        pytest.param(f'Get "{HOST}/v2/": net/http: TLS handshake timeout', "timeout",
                     id="tls-timeout"),
        pytest.param(f'Get "{HOST}/v2/": dial tcp [::1]:1: i/o timeout', "timeout",
                     id="dial-timeout"),
        pytest.param(f'Get "{HOST}/v2/": net/http: request canceled while waiting for connection '
                     "(Client.Timeout exceeded while awaiting headers)", "timeout",
                     id="client-timeout"),
    ],
)  # fmt: skip
def test_transient(text: str, reason: str) -> None:
    assert classify(text) == Verdict(True, reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(f"login attempt to {HOST}/v2/ failed with status: 401 Unauthorized",
                     "credentials", id="login-401"),
        pytest.param("failed to push x: failed to authorize: failed to fetch oauth token: "
                     "unexpected status: 403 Forbidden", "credentials", id="push-403"),
        pytest.param("failed to push x: denied: requested access to the resource is denied",
                     "credentials", id="push-denied"),
        pytest.param('ERROR: failed to solve: process "/bin/sh -c curl -f https://x" did not '
                     "complete successfully: exit code: 22", "build step", id="run-failed"),
        pytest.param('process "/bin/sh -c echo 503 Service Unavailable; exit 1" did not '
                     "complete successfully: exit code: 1", "build step",
                     id="run-failed-printing-503"),
        pytest.param("ERROR: failed to solve: dockerfile parse error on line 1: unknown "
                     "instruction: FORM", "Dockerfile", id="bad-dockerfile"),
        pytest.param("ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no "
                     "such file or directory", "Dockerfile", id="no-dockerfile"),
        pytest.param("ERROR: failed to solve: rpc error: code = Unavailable desc = error "
                     "reading from server: EOF", "engine", id="engine-went-away"),
        pytest.param("Cannot connect to the Docker daemon at unix:///run/x.sock. Is the docker "
                     "daemon running?", "engine", id="engine-down"),
        pytest.param('Get "https://nope.test/v2/": dial tcp: lookup nope.test: no such host',
                     "resolve", id="dns"),
        pytest.param("ERROR: failed to solve: failed to compute cache key: \"/x\": not found",
                     "not a temporary", id="missing-file"),
    ],
)  # fmt: skip
def test_final(text: str, reason: str) -> None:
    verdict = classify(text)
    assert not verdict.transient
    assert reason in verdict.reason


def test_engine_error_is_final_whatever_it_says() -> None:
    error = EngineError("cannot reach the Docker engine: connection refused")
    assert not registry_failure(error).transient
    assert registry_failure(ActionError("x: 502 Bad Gateway")).transient


@pytest.mark.parametrize(
    ("attempt", "random", "expected"),
    [
        pytest.param(1, 0.0, 0.5, id="first-lowest"),
        pytest.param(1, 0.999, 0.9995, id="first-highest"),
        pytest.param(2, 0.0, 1.0, id="doubles"),
        pytest.param(3, 0.5, 3.0, id="quadruples"),
        pytest.param(10, 0.0, 5.0, id="capped-lowest"),
        pytest.param(10, 1.0, 10.0, id="capped-highest"),
        pytest.param(10_000, 0.0, 5.0, id="huge-attempt-no-overflow"),
    ],
)
def test_backoff(attempt: int, random: float, expected: float) -> None:
    assert backoff(attempt, RetryPolicy(retries=99, max_wait=10.0), random) == expected


@pytest.mark.parametrize(
    ("attempt", "verdict", "expected"),
    [
        pytest.param(1, Verdict(True, "x"), 0.5, id="transient"),
        pytest.param(3, Verdict(True, "x"), 2.0, id="last-retry"),
        pytest.param(4, Verdict(True, "x"), None, id="retries-used-up"),
        pytest.param(1, Verdict(False, "x"), None, id="final"),
    ],
)  # fmt: skip
def test_wait_for(attempt: int, verdict: Verdict, expected: float | None) -> None:
    assert wait_for(attempt, verdict, RetryPolicy(retries=3, max_wait=30.0), 0.0) == expected


def _flaky(errors: list[ActionError]) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "ok"

    return calls, fn


def _run(errors: list[ActionError], retries: int = 3) -> tuple[object, int, list[float], list[str]]:
    calls, fn = _flaky(errors)
    slept: list[float] = []
    logged: list[str] = []
    try:
        result: object = with_retries(
            fn, RetryPolicy(retries=retries, max_wait=8.0), what="Push",
            classify_error=registry_failure, sleep=slept.append, log=logged.append,
            random=lambda: 0.0,
        )  # fmt: skip
    except ActionError as exc:
        result = exc
    return result, len(calls), slept, logged


def test_transient_failures_are_retried_with_one_line_each() -> None:
    result, calls, slept, logged = _run(
        [ActionError("x: 502 Bad Gateway"), ActionError("read: connection reset by peer")]
    )
    assert (result, calls, slept) == ("ok", 3, [0.5, 1.0])
    assert logged == [
        "Push failed (502 Bad Gateway); retry 1 of 3 in 0.5 s",
        "Push failed (connection reset); retry 2 of 3 in 1.0 s",
    ]


def test_gives_up_after_the_retries_with_the_last_error() -> None:
    errors: list[ActionError] = [ActionError(f"try {i}: 503 Service Unavailable") for i in range(9)]
    result, calls, slept, logged = _run(errors, retries=2)
    assert isinstance(result, ActionError)
    assert str(result) == "try 2: 503 Service Unavailable"
    assert (calls, slept) == (3, [0.5, 1.0])
    assert logged[-1] == "Push failed (503 Service Unavailable); giving up after 3 attempts"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(ActionError("login attempt failed with status: 401 Unauthorized"), id="401"),
        pytest.param(ActionError('process "/bin/sh -c make" did not complete successfully'),
                     id="build-error"),
        pytest.param(EngineError("cannot reach the Docker engine"), id="engine"),
    ],
)  # fmt: skip
def test_final_failures_fail_at_once_without_a_log_line(error: ActionError) -> None:
    result, calls, slept, logged = _run([error])
    assert (result, calls, slept, logged) == (error, 1, [], [])


def test_zero_retries_never_retries() -> None:
    result, calls, _, _ = _run([ActionError("503 Service Unavailable")], retries=0)
    assert isinstance(result, ActionError)
    assert calls == 1
