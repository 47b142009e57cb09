"""``auto``/``true``/``false`` inputs (``push``, ``sign``): one reader for both."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.grammar import Switch, input_switch


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("", Switch.AUTO, id="blank-is-auto"),
        pytest.param(" Auto ", Switch.AUTO, id="auto-any-case"),
        pytest.param("TRUE", Switch.TRUE, id="core-true"),
        pytest.param("False", Switch.FALSE, id="core-false"),
    ],
)
def test_switch(value: str, expected: Switch) -> None:
    assert input_switch("push", value) is expected


@pytest.mark.parametrize("value", ["yes", "tRuE", "1", "maybe"])
def test_switch_refuses_what_getbooleaninput_refuses(value: str) -> None:
    with pytest.raises(InputError, match="use auto, true or false") as caught:
        input_switch("sign", value)
    assert caught.value.input_name == "sign"
