"""Registry logins: login-action's inputs, and the password only ever on stdin."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.registry.login import RegistryLogin, docker_config, parse_logins


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param({}, [], id="no-login"),
        pytest.param({"username": "u", "password": "p"}, [RegistryLogin("docker.io", "u", "p")],
                     id="docker-hub-default"),
        pytest.param({"registry": "ghcr.io", "username": "u", "password": "p"},
                     [RegistryLogin("ghcr.io", "u", "p")], id="one-registry"),
        pytest.param(
            {"registry-auth": "- registry: ghcr.io\n  username: a\n  password: x\n"
                              "- username: b\n  password: 'y'\n"},
            [RegistryLogin("ghcr.io", "a", "x"), RegistryLogin("docker.io", "b", "y")],
            id="registry-auth-list",
        ),
    ],
)  # fmt: skip
def test_parse_logins(raw: dict[str, str], expected: list[RegistryLogin]) -> None:
    assert parse_logins(raw) == expected


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param({"registry": "ghcr.io"}, r"'username'.*no username for 'ghcr.io'",
                     id="registry-only"),
        pytest.param({"username": "u"}, r"'password'.*no password for 'docker.io'",
                     id="fork-pr-empty-secret"),
        pytest.param({"registry-auth": "- registry: a\n  username: u\n  password: p",
                      "username": "u"}, r"cannot be combined", id="both-kinds"),
        pytest.param({"registry-auth": "registry: a"}, r"YAML list", id="not-a-list"),
        pytest.param({"registry-auth": "- [a]"}, r"entry 1 is not a mapping", id="not-a-mapping"),
        pytest.param({"registry-auth": "- registry: a\n  user: u"},
                     r"entry 1 has a key other than registry, username, password",
                     id="unknown-key"),
        pytest.param({"registry-auth": "- username: u\n  password: 0123"},
                     r"entry 1: `password` is not a string \(YAML read it as int\); quote it",
                     id="number-password"),
        pytest.param({"registry-auth": "- username: u\n  password: [x"}, r"not valid YAML",
                     id="bad-yaml"),
    ],
)  # fmt: skip
def test_invalid_logins(raw: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_logins(raw)


SECRET = "hunter2-secret-value"


@pytest.mark.parametrize(
    ("registry_auth", "match"),
    [
        pytest.param(f"- username: u\n  password: [{SECRET}",
                     r"not valid YAML at line 2, column 34: expected ',' or '\]', but got "
                     r"'<stream end>' \(while parsing a flow sequence\)", id="unclosed-flow-list"),
        pytest.param(f"- username: u\n  password: *{SECRET}",
                     r"line 2, column 13: found undefined alias \(not shown\)",
                     id="undefined-alias"),
        pytest.param(f"- username: u\n  password: !{SECRET} x",
                     r"line 2, column 13: could not determine a constructor for the tag "
                     r"\(not shown\)",
                     id="unknown-tag"),
        pytest.param(f"- username: u\n  password: @{SECRET}",
                     r"line 2, column 13: found character \(not shown\) that cannot start "
                     r"any token",
                     id="reserved-character"),
        pytest.param(f"- username: u\n  password:{SECRET}",
                     r"line 2, column 32: could not find expected ':'",
                     id="block-key-without-space"),
        pytest.param(f"- {{registry: r, username: u, password:{SECRET}}}",
                     r"entry 1 has a key other than registry, username, password "
                     r"\(is a space missing after a colon\?\)", id="flow-key-without-space"),
        pytest.param(f"- registry: r\n  username: u\n    password:{SECRET}",
                     r"no password for entry 1;", id="password-folded-into-username"),
        pytest.param("- username: u\n  password: !!int s3cretPW",
                     r"a value does not fit its tag \(!!int, !!float, !!timestamp\); quote it",
                     id="int-tag"),
        pytest.param("- username: u\n  password: !!float s3cretPW",
                     r"a value does not fit its tag", id="float-tag"),
        pytest.param("- username: u\n  password: !!timestamp s3cretPW",
                     r"a value does not fit its tag", id="timestamp-tag"),
        pytest.param("[" * 5000, r"nests too deeply", id="deeply-nested"),
        pytest.param("- username: u\n  password: s3cretPW\0", r"line 2, column 21: .*control",
                     id="control-character"),
        pytest.param("- username: s3cretPW", r"no password for entry 1;", id="no-password"),
        pytest.param("- password: s3cretPW", r"no username for entry 1;", id="no-username"),
        pytest.param("- username: u\n  password: p\n- username: v\n  password: 12345678",
                     r"entry 2: `password` is not a string", id="second-entry"),
    ],
)  # fmt: skip
def test_registry_auth_errors_never_quote_its_text(registry_auth: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        parse_logins({"registry-auth": registry_auth})
    shown = str(caught.value) + caught.value.hint
    for secret in (SECRET, "s3cretPW", "s3cretpw", "12345678"):
        assert secret not in shown


def test_repr_hides_password() -> None:
    assert "hunter2" not in repr(RegistryLogin("ghcr.io", "u", "hunter2"))


@pytest.mark.parametrize(
    ("logins", "expected"),
    [
        pytest.param(
            [RegistryLogin("ghcr.io", "octo", "hunter2")],
            {"auths": {"ghcr.io": {"auth": "b2N0bzpodW50ZXIy"}}},
            id="ghcr",
        ),
        pytest.param(
            [RegistryLogin("docker.io", "octo", "hunter2"),
             RegistryLogin("reg-a.test:15443", "a", "b:c")],
            {"auths": {"https://index.docker.io/v1/": {"auth": "b2N0bzpodW50ZXIy"},
                       "reg-a.test:15443": {"auth": "YTpiOmM="}}},
            id="docker-hub-key-and-colon-in-password",
        ),
    ],
)  # fmt: skip
def test_docker_config_is_what_docker_login_stores(
    logins: list[RegistryLogin], expected: dict[str, object]
) -> None:
    assert docker_config(logins) == expected
