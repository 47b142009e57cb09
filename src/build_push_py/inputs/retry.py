"""The retry inputs: ``retries`` and ``retry-max-wait``, read into a ``RetryPolicy``."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import InputError
from ..retry import DEFAULT_MAX_WAIT, DEFAULT_RETRIES, RetryPolicy
from .grammar import whole_number

_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# Longer than any sensible duration, and short enough that the unit regex, which backtracks
# over a run of digits at every position, stays cheap.
MAX_DURATION_CHARS = 32
MAX_RETRIES = 20


def _shown(text: str) -> str:
    """``text`` quoted for an error message, cut short when long."""
    return repr(text) if len(text) <= 20 else repr(text[:16] + "...")


def parse_duration(name: str, value: str) -> float:
    """``30``, ``30s``, ``1m30s``, ``500ms``: seconds. Plain numbers are seconds."""
    text = value.strip()
    if len(text) > MAX_DURATION_CHARS:
        limit = f"at most {MAX_DURATION_CHARS}"
        raise InputError(name, f"{len(text)} characters is too long for a duration ({limit})")
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return float(text)
    if text and _DURATION.sub("", text) == "":
        return sum(float(n) * _UNIT[u] for n, u in _DURATION.findall(text))
    raise InputError(
        name, f"{_shown(value)} is not a duration; use seconds (30) or units (1m30s, 500ms)"
    )


def parse_retries(value: str) -> int:
    text = value.strip()
    if not text:
        return DEFAULT_RETRIES
    if not re.fullmatch(r"[0-9]+", text):
        problem = f"{_shown(text)} is not a whole number >= 0; use 0 to not retry"
        raise InputError("retries", problem)
    retries = whole_number(text, MAX_RETRIES)
    if retries is None:
        problem = f"{_shown(text)} is more than {MAX_RETRIES}; each retry waits longer"
        raise InputError("retries", problem)
    return retries


def parse_policy(raw: Mapping[str, str]) -> RetryPolicy:
    wait = raw.get("retry-max-wait", "").strip()
    return RetryPolicy(
        retries=parse_retries(raw.get("retries", "")),
        max_wait=parse_duration("retry-max-wait", wait) if wait else DEFAULT_MAX_WAIT,
    )
