"""What "now" is for a run: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from .errors import ActionError
from .metadata.dateformat import EARLIEST, LATEST


def now(env: Mapping[str, str]) -> datetime:
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(UTC)
    try:
        moment = datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        raise ActionError(
            f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a number of seconds since 1970-01-01"
        ) from None
    if not EARLIEST <= moment <= LATEST:  # {{date}} could not render it in every zone
        raise ActionError(
            f"SOURCE_DATE_EPOCH={epoch!r} is out of range (years {EARLIEST.year} to {LATEST.year})"
        )
    return moment
