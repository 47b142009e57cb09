"""What "now" is for a run: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from .errors import ActionError


def now(env: Mapping[str, str]) -> datetime:
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        raise ActionError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01"
        ) from None
