"""The retry inputs: ``retries`` and ``retry-max-wait``."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.retry import parse_duration, parse_policy
from build_push_py.retry import RetryPolicy


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param({}, RetryPolicy(3, 30.0), id="defaults"),
        pytest.param({"retries": "0", "retry-max-wait": "0"}, RetryPolicy(0, 0.0), id="zero"),
        pytest.param({"retries": " 5 ", "retry-max-wait": "2m"}, RetryPolicy(5, 120.0),
                     id="minutes"),
        pytest.param({"retry-max-wait": "1m30s"}, RetryPolicy(3, 90.0), id="go-duration"),
        pytest.param({"retry-max-wait": "500ms"}, RetryPolicy(3, 0.5), id="milliseconds"),
        pytest.param({"retry-max-wait": "1.5"}, RetryPolicy(3, 1.5), id="plain-seconds"),
        pytest.param({"retries": "20"}, RetryPolicy(20, 30.0), id="most-retries"),
        pytest.param({"retries": "0" * 50 + "7"}, RetryPolicy(7, 30.0), id="leading-zeros"),
        pytest.param({"retry-max-wait": "1h2m3s4ms" + "0s" * 11}, RetryPolicy(3, 3723.004),
                     id="longest-duration"),
    ],
)  # fmt: skip
def test_parse_policy(raw: dict[str, str], expected: RetryPolicy) -> None:
    assert parse_policy(raw) == expected


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param({"retries": "-1"}, r"'retries'.*'-1' is not a whole number", id="negative"),
        pytest.param({"retries": "2.5"}, r"'retries'.*whole number", id="fraction"),
        pytest.param({"retries": "three"}, r"'retries'.*whole number", id="word"),
        pytest.param({"retries": "\u0663"}, r"'retries'.*whole number", id="arabic-digit"),
        pytest.param({"retry-max-wait": "-5s"}, r"'retry-max-wait'.*not a duration",
                     id="negative-duration"),
        pytest.param({"retry-max-wait": "5 minutes"}, r"not a duration", id="words"),
        pytest.param({"retry-max-wait": "5d"}, r"not a duration", id="unknown-unit"),
        pytest.param({"retries": "21"}, r"'retries'.*'21' is more than 20", id="too-many"),
        # Python refuses to convert an int of more than 4300 digits (ValueError).
        pytest.param({"retries": "5" * 5000}, r"'retries'.*'5555.*' is more than 20",
                     id="beyond-the-int-conversion-limit"),
        pytest.param({"retries": "x" * 5000}, r"'retries'.*'xxxx.*' is not a whole number",
                     id="long-word"),
        pytest.param({"retry-max-wait": "1" * 33}, r"'retry-max-wait'.*33 characters.*at most 32",
                     id="long-number"),
        # The unit regex backtracks quadratically over a run of digits with no unit.
        pytest.param({"retry-max-wait": "1" * 5000 + "x"}, r"5001 characters.*at most 32",
                     id="long-digits-without-unit"),
    ],
)  # fmt: skip
def test_invalid_policy(raw: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        parse_policy(raw)
    assert len(str(caught.value)) < 200  # a long value is not quoted whole


def test_parse_duration_plain_seconds() -> None:
    assert parse_duration("x", "45") == 45.0
