"""When to try a registry operation again, and how long to wait first.

Pure: the error text, the attempt number, a random number and "now" come in as arguments;
``with_retries`` gets ``sleep`` and ``log`` from its caller. Only failures that another try
can fix are retried: the registry or the network being briefly unwell (connection refused
or reset, timeouts, 5xx, 429). Refused credentials, a failing ``RUN`` step, a bad Dockerfile
or the engine going away are final.

The texts matched are those of the Docker engine's ``/auth`` answer and of BuildKit's push
errors, e.g. ``unexpected status from HEAD request to https://...: 503 Service Unavailable``.
"""

from __future__ import annotations

import random as _random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .errors import ActionError, EngineError

T = TypeVar("T")

DEFAULT_RETRIES = 3
DEFAULT_MAX_WAIT = 30.0
BASE_WAIT = 1.0


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = DEFAULT_RETRIES  # tries after the first one
    max_wait: float = DEFAULT_MAX_WAIT  # seconds, the longest single wait
    base_wait: float = BASE_WAIT


@dataclass(frozen=True)
class Verdict:
    transient: bool
    reason: str


def _rules(*pairs: tuple[str, str]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(pattern, re.IGNORECASE), reason) for pattern, reason in pairs]


# Checked first: a build step that failed may print anything, registry words included.
_FINAL = _rules(
    (r"did not complete successfully", "a build step failed"),
    (r"dockerfile parse error|failed to read dockerfile|failed to parse dockerfile",
     "the Dockerfile is invalid"),
    (r"\b401 Unauthorized|\b403 Forbidden|unauthorized:|denied:|authentication required"
     r"|incorrect username or password", "the registry refused the credentials"),
    (r"cannot connect to the docker daemon|error reading from server|failed to dial grpc"
     r"|dial unix", "the Docker engine went away"),
    (r"no such host|server misbehaving", "the registry's name does not resolve"),
)  # fmt: skip
_TRANSIENT = _rules(
    (r"\b429 Too Many Requests|toomanyrequests", "429 Too Many Requests"),
    # The status line itself is the reason.
    (r"\b(500 Internal Server Error|502 Bad Gateway|503 Service Unavailable"
     r"|504 Gateway Timeout)", ""),
    (r"connection refused", "connection refused"),
    (r"connection reset by peer", "connection reset"),
    (r"broken pipe", "connection broken"),
    (r"i/o timeout|timeout awaiting|handshake timeout|deadline exceeded|timed out"
     r"|Client\.Timeout exceeded", "timeout"),
    (r"unexpected EOF|: EOF\b", "connection closed early"),
)  # fmt: skip


def classify(text: str) -> Verdict:
    """Whether the failure described by ``text`` is worth another try, and why. (Neither
    the engine's ``/auth`` answer nor buildx passes a registry's ``Retry-After`` on, so a
    429 gets the same backoff as any other transient failure.)"""
    for pattern, reason in _FINAL:
        if pattern.search(text):
            return Verdict(False, reason)
    for pattern, reason in _TRANSIENT:
        match = pattern.search(text)
        if match:
            return Verdict(True, reason or match.group(0))
    return Verdict(False, "not a temporary failure")


def backoff(attempt: int, policy: RetryPolicy, random: float) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): ``base * 2^(attempt-1)``
    capped at ``max_wait``, then jittered into its upper half with ``random`` in [0, 1)."""
    ceiling = min(policy.max_wait, policy.base_wait * 2.0 ** min(attempt - 1, 30))
    return ceiling / 2 + ceiling / 2 * random


def wait_for(attempt: int, verdict: Verdict, policy: RetryPolicy, random: float) -> float | None:
    """The wait before retry ``attempt``, or None when no retry should be made."""
    if not verdict.transient or attempt > policy.retries:
        return None
    return backoff(attempt, policy, random)


def with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str,
    classify_error: Callable[[ActionError], Verdict],
    sleep: Callable[[float], None],
    log: Callable[[str], None],
    random: Callable[[], float],
) -> T:
    """``fn()``, tried again after transient failures; the last error is raised as it came."""
    attempt = 0
    while True:
        try:
            return fn()
        except ActionError as exc:
            attempt += 1
            verdict = classify_error(exc)
            wait = wait_for(attempt, verdict, policy, random())
            if wait is None:
                if verdict.transient and attempt > 1:
                    log(f"{what} failed ({verdict.reason}); giving up after {attempt} attempts")
                raise
            log(f"{what} failed ({verdict.reason}); retry {attempt} of {policy.retries} "
                f"in {wait:.1f} s")  # fmt: skip
            sleep(wait)


def registry_failure(exc: ActionError) -> Verdict:
    """The verdict on a failed login or build: an unreachable engine is final."""
    if isinstance(exc, EngineError):
        return Verdict(False, "the Docker engine is unreachable")
    return classify(str(exc))


class Retrier(Protocol):
    def __call__(self, fn: Callable[[], T], what: str) -> T: ...


def retrier(
    policy: RetryPolicy,
    *,
    log: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
    random: Callable[[], float] = _random.random,
) -> Retrier:
    """``with_retries`` for registry operations, with the policy and the I/O bound."""

    def retry(fn: Callable[[], T], what: str) -> T:
        return with_retries(
            fn, policy, what=what, classify_error=registry_failure,
            sleep=sleep, log=log, random=random,
        )  # fmt: skip

    return retry
