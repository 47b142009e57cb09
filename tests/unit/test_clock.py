"""What "now" is: SOURCE_DATE_EPOCH when set, and only a moment every date pattern can render."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from build_push_py import clock
from build_push_py.errors import ActionError


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [
        pytest.param("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), id="seconds"),
        pytest.param(" 0 ", datetime(1970, 1, 1, tzinfo=UTC), id="blanks-around"),
        pytest.param("-62103974400", datetime(2, 1, 2, tzinfo=UTC), id="first-day-in-range"),
    ],
)
def test_source_date_epoch(epoch: str, expected: datetime) -> None:
    assert clock.now({"SOURCE_DATE_EPOCH": epoch}) == expected


@pytest.mark.parametrize(
    ("epoch", "match"),
    [
        pytest.param("soon", "is not a number of seconds", id="text"),
        pytest.param("1.5", "is not a number of seconds", id="fraction"),
        pytest.param("1" * 5000, "is not a number of seconds", id="5000-digits"),
        pytest.param("1" * 30, "is not a number of seconds", id="beyond-datetime"),
        pytest.param("253402300799", r"out of range \(years 2 to 9998\)", id="last-second-of-9999"),
        pytest.param("-62135596800", r"out of range", id="first-second-of-year-1"),
    ],
)
def test_source_date_epoch_invalid(epoch: str, match: str) -> None:
    with pytest.raises(ActionError, match=match) as caught:
        clock.now({"SOURCE_DATE_EPOCH": epoch})
    assert "SOURCE_DATE_EPOCH" in str(caught.value)
