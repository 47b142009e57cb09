"""The inputs that carry secrets: no error quotes their text, whatever is wrong with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.lists import fields, input_list, split_fields

SECRET = "hunter2-secret-value"


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        pytest.param("secrets", f'A=1\n"B={SECRET}',
                     r"'secrets': line 2 cannot be read as CSV: a quote is not closed",
                     id="secrets-unclosed-quote"),
        pytest.param("secrets", f'"A={SECRET}\n{SECRET}\nC=3', r"line 1 cannot",
                     id="secrets-multi-line-value-unclosed"),
        pytest.param("password", f'"{SECRET}', r"line 1 cannot", id="password"),
        pytest.param("github-token", f'"{SECRET}', r"line 1", id="github-token"),
        pytest.param("registry-auth", f'"{SECRET}', r"line 1", id="registry-auth"),
        pytest.param("tls-key", f'"{SECRET}', r"line 1", id="tls-key"),
        pytest.param("tls-cert", f'"{SECRET}', r"line 1", id="tls-cert"),
        pytest.param("tls-cacert", f'"{SECRET}', r"line 1", id="tls-cacert"),
    ],
)  # fmt: skip
def test_list_errors_never_quote_a_secret_input(name: str, value: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        input_list(name, value, ignore_comma=True)
    assert SECRET not in str(caught.value) + caught.value.hint


@pytest.mark.parametrize(
    ("read", "match"),
    [
        pytest.param(lambda: split_fields("secrets", f'a"{SECRET}'),
                     r"line 1 cannot be read as CSV: a quote may only open a field",
                     id="split-fields-stray-quote"),
        pytest.param(lambda: split_fields("secrets", f'"{SECRET}"x'),
                     r"line 1 cannot be read as CSV: a closing quote must be followed by a comma "
                     r"\(the text is secret",
                     id="split-fields-after-quote"),
        pytest.param(lambda: fields("secrets", f'id=a\n"src={SECRET}'),
                     r"line 2 cannot be read as CSV: a quote is not closed", id="fields-unclosed"),
    ],
)  # fmt: skip
def test_field_errors_never_quote_a_secret_input(read: Callable[[], object], match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        read()
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        pytest.param("tags", '"type=raw', r"cannot read '\"type=raw' as CSV: a quote is not closed",
                     id="other-inputs-still-quote"),
    ],
)  # fmt: skip
def test_other_inputs_are_quoted(name: str, value: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        input_list(name, value, ignore_comma=True)
