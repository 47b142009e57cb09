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
        pytest.param({"registry-auth": "- registry: a\n  user: u"}, r"unknown keys \['user'\]",
                     id="unknown-key"),
        pytest.param({"registry-auth": "- username: u\n  password: 0123"},
                     r"password of entry 1 was read as int; quote it", id="number-password"),
        pytest.param({"registry-auth": "- username: u\n  password: [x"}, r"not valid YAML",
                     id="bad-yaml"),
    ],
)  # fmt: skip
def test_invalid_logins(raw: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_logins(raw)


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
