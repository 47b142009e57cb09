"""Any text in the build, login and retry inputs ends in a result or an InputError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_push_py.errors import InputError
from build_push_py.inputs.build import parse_build_inputs, secret_looking_build_args
from build_push_py.inputs.retry import parse_policy
from build_push_py.inputs.table import INPUTS
from build_push_py.registry.login import parse_logins

ALPHABET = st.sampled_from(list("=,\"'#\\/.:-_ \n\t\r0129aAzZ{}[]|&;$`")) | st.characters()
TEXT = st.text(ALPHABET, max_size=60)
NAMES = st.sampled_from([spec.name for spec in INPUTS])
PREFIXES = st.sampled_from(["", "type=", "type=registry,ref=", "id=", "NAME=", '"', "- "])


@settings(max_examples=400, deadline=None)
@given(NAMES, PREFIXES, TEXT)
def test_build_inputs_result_or_input_error(name: str, prefix: str, text: str) -> None:
    with contextlib.suppress(InputError):
        parse_build_inputs({name: prefix + text})


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["registry-auth", "username", "password", "registry"]), PREFIXES, TEXT)
def test_logins_result_or_input_error(name: str, prefix: str, text: str) -> None:
    raw = {"username": "u", "password": "p"} if name == "registry" else {}
    with contextlib.suppress(InputError):
        parse_logins(raw | {name: prefix + text})


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["retries", "retry-max-wait"]), TEXT)
def test_retry_inputs_result_or_input_error(name: str, text: str) -> None:
    with contextlib.suppress(InputError):
        policy = parse_policy({name: text})
        assert policy.retries >= 0
        assert policy.max_wait >= 0


@pytest.mark.parametrize(
    ("build_args", "expected"),
    [
        pytest.param(("NPM_TOKEN=x", "VERSION=1"), ["NPM_TOKEN"], id="token"),
        pytest.param(("db_password=x",), ["db_password"], id="lower-case"),
        pytest.param(("AWS_SECRET_ACCESS_KEY=x", "API_KEY=y"),
                     ["AWS_SECRET_ACCESS_KEY", "API_KEY"], id="secret-and-key"),
        pytest.param(("BUILD_DATE=x", "GIT_SHA=y"), [], id="harmless"),
    ],
)  # fmt: skip
def test_secret_looking_build_args(build_args: tuple[str, ...], expected: list[str]) -> None:
    assert secret_looking_build_args(build_args) == expected
