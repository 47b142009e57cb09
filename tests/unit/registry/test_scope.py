"""login-action's scope: where the scoped credentials go, and v4.6's rules for the text."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.registry import scope
from build_push_py.registry.login import docker_configs, parse_logins
from build_push_py.registry.method import Credential, RegistryLogin, Where


@pytest.mark.parametrize(
    ("registry", "text", "expected"),
    [
        # login-action context.test.ts: the default Docker Hub registry
        ("docker.io", "myscope", "config/registry-1.docker.io/myscope"),
        ("docker.io", "myorg/myimage@push", "config/registry-1.docker.io/myorg/myimage@push"),
        ("docker.io", "@push", "config/registry-1.docker.io@push"),
        ("ghcr.io", "o/app@push,pull", "config/ghcr.io/o/app@push,pull"),
    ],
    ids=repr,
)  # fmt: skip
def test_config_path(registry: str, text: str, expected: str) -> None:
    scope.check(registry, text, Where("username"))
    assert scope.config_path(registry, text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a@push@pull", "has more than one @"),
        ("a@Push", "names actions after @ that are not lowercase words"),
        ("a@push,", "names actions after @ that are not lowercase words"),
        ("a@", "names actions after @ that are not lowercase words"),
        ("@", "names actions after @ that are not lowercase words"),
        ("a@push pull", "names actions after @ that are not lowercase words"),
        ("../../../etc", "leaves buildx's config directory"),
        ("a/../../x@push", "leaves buildx's config directory"),
        ("/etc/x", "leaves buildx's config directory"),
        ("a//b", "leaves buildx's config directory"),
        ("a\\\\b", "leaves buildx's config directory"),
    ],
    ids=repr,
)  # fmt: skip
def test_refused(text: str, match: str) -> None:
    with pytest.raises(InputError, match=rf"'scope': scope {match}"):
        parse_logins({"username": "u", "password": "p", "scope": text})


def test_a_registry_that_leaves_is_refused_too() -> None:
    with pytest.raises(InputError, match="scope of entry 1 leaves"):
        parse_logins({"registry-auth": "- {registry: '..', username: u, password: p, scope: a}"})


@pytest.mark.parametrize(
    ("value", "expected"), [("true", ""), ("1", ""), ("false", "o/app@push"), ("", "o/app@push")]
)
def test_disabled(value: str, expected: str) -> None:
    env = {scope.DISABLED: value}
    [login] = parse_logins({"username": "u", "password": "p", "scope": "o/app@push"}, env)
    assert login.scope == expected


def test_disabled_must_be_a_boolean() -> None:
    with pytest.raises(InputError, match="DOCKER_LOGIN_SCOPE_DISABLED"):
        parse_logins({"username": "u", "password": "p", "scope": "a"}, {scope.DISABLED: "yes"})


def test_scoped_credentials_go_to_their_own_config() -> None:
    plain = RegistryLogin("ghcr.io", "u", "p")
    scoped = RegistryLogin("docker.io", "o", "q", scope="o/app@push")
    ecr = RegistryLogin("1.dkr.ecr.x.amazonaws.com", "", "", method="ecr", scope="@push")
    configs = docker_configs([
        (plain, [Credential("ghcr.io", "u", "p")]),
        (scoped, [Credential("docker.io", "o", "q")]),
        (ecr, [Credential("https://1.dkr.ecr.x.amazonaws.com", "AWS", "t")]),
    ])  # fmt: skip
    assert configs == {
        "": {"auths": {"ghcr.io": {"auth": "dTpw"}}},
        "config/registry-1.docker.io/o/app@push": {
            "auths": {"https://index.docker.io/v1/": {"auth": "bzpx"}}
        },
        "config/1.dkr.ecr.x.amazonaws.com@push": {
            "auths": {"1.dkr.ecr.x.amazonaws.com": {"auth": "QVdTOnQ="}}
        },
    }
