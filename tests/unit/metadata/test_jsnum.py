"""``String(number)`` as JavaScript prints it, for the numbers a payload can hold."""

from __future__ import annotations

import pytest

from build_push_py.metadata.jsnum import js_str


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1"),
        (-0.5, "-0.5"),
        (2.0**53, "9007199254740992"),
        # above 2**53 and below 1e16: Python's repr has every digit and no exponent
        (9007199254740994.0, "9007199254740994"),
        (-9007199254740994.0, "-9007199254740994"),
        (1e16, "10000000000000000"),
        (1.2345678901234567e20, "123456789012345670000"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (float("inf"), "Infinity"),
    ],
    ids=repr,
)
def test_js_str(value: float, expected: str) -> None:
    assert js_str(value) == expected
