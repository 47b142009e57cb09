"""The signing inputs: ``sign``, ``sign-key``, ``sign-key-password``, ``sign-tlog``."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.sign import SignInputs, SignMode, parse_sign_inputs
from build_push_py.inputs.table import read_raw

KEY = (
    "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
    "eyJrZGYiOnsibmFtZSI6InNjcnlwdCJ9fQ==\n"
    "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
)


def raw(**given: str) -> dict[str, str]:
    return read_raw({"INPUT_" + k.replace("_", "-").upper(): v for k, v in given.items()})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param({}, SignInputs(), id="defaults"),
        pytest.param({"sign": "false"}, SignInputs(mode=SignMode.FALSE), id="off"),
        pytest.param({"sign": "TRUE"}, SignInputs(mode=SignMode.TRUE), id="on"),
        pytest.param(
            {"sign_key": KEY, "sign_key_password": "pw", "sign_tlog": "false"},
            SignInputs(key=KEY, key_password="pw", tlog=False),
            id="pem-key",
        ),
        pytest.param(
            {"sign_key": "awskms:///arn:aws:kms:eu-west-1:1:key/k"},
            SignInputs(key="awskms:///arn:aws:kms:eu-west-1:1:key/k"),
            id="kms-uri",
        ),
    ],
)
def test_parse(given: dict[str, str], expected: SignInputs) -> None:
    assert parse_sign_inputs(raw(**given)) == expected


@pytest.mark.parametrize(
    ("given", "name", "match"),
    [
        pytest.param({"sign": "maybe"}, "sign", "auto, true or false", id="bad-mode"),
        pytest.param({"sign_key": "hunter2-not-a-key"}, "sign-key", "KMS URI", id="not-a-key"),
        pytest.param({"sign_key_password": "pw"}, "sign-key-password", "set sign-key", id="pw"),
        pytest.param({"sign_tlog": "nope"}, "sign-tlog", "boolean", id="bad-tlog"),
    ],
)
def test_invalid(given: dict[str, str], name: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        parse_sign_inputs(raw(**given))
    assert caught.value.input_name == name
    assert "hunter2" not in str(caught.value)


def test_repr_hides_the_key_and_its_password() -> None:
    shown = repr(SignInputs(key=KEY, key_password="s3cret-pw"))
    assert "PRIVATE KEY" not in shown
    assert "s3cret-pw" not in shown
