"""The inputs that carry secrets: no error quotes their text, whatever is wrong with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from build_push_py.buildx.drivers import tls_driver_opts
from build_push_py.errors import InputError
from build_push_py.inputs.lists import fields, input_list, split_fields
from build_push_py.inputs.table import read_raw
from build_push_py.plan.inputs import parse

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
                     r"\(the text is not shown",
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


BAGGED_KEY = (
    "Bag Attributes\n    localKeyID: 01 00 00 00\n    friendlyName: buildkit\n"
    "Key Attributes: <No Attributes>\n"
    f"-----BEGIN PRIVATE KEY-----\nMIIB{SECRET}\n-----END PRIVATE KEY-----"
)


def tls_inputs(**tls: str) -> dict[str, str]:
    given = {"driver": "remote", "endpoint": "tcp://buildkitd:1234", **tls}
    return read_raw({"INPUT_" + k.replace("_", "-").upper(): v for k, v in given.items()})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(BAGGED_KEY, id="openssl-pkcs12-bag-attributes"),
        pytest.param(f"  -----BEGIN PRIVATE KEY-----\nMIIB{SECRET}\n-----END PRIVATE KEY-----",
                     id="indented"),
        pytest.param(f"-----BEGIN PRIVATE KEY----- MIIB{SECRET} -----END PRIVATE KEY-----",
                     id="pem-on-one-line"),
    ],
)  # fmt: skip
def test_pem_anywhere_in_tls_key_is_pem_text(value: str) -> None:
    spec = parse(tls_inputs(tls_key=value)).driver
    assert spec is not None
    (material,) = spec.tls
    assert material.is_pem
    assert spec.secret_values == (value.strip(),)
    assert SECRET not in repr(spec)
    assert tls_driver_opts(spec, {"key": "/cfg/key.pem"}) == ["key=/cfg/key.pem"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("tls_key", f"MIIB{SECRET}\nAAAA", id="key-lines-without-begin"),
        pytest.param("tls_cert", f"{SECRET}\n/certs/cert.pem", id="cert-two-lines"),
    ],
)  # fmt: skip
def test_tls_value_of_several_lines_without_pem_is_an_error(name: str, value: str) -> None:
    with pytest.raises(InputError, match=r"several lines but no -----BEGIN line") as caught:
        parse(tls_inputs(**{name: value}))
    assert caught.value.input_name == name.replace("_", "-")
    assert SECRET not in str(caught.value) + caught.value.hint
