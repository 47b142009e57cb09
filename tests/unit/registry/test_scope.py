"""login-action's scope: where the scoped credentials go, and v4.6's rules for the text."""

from __future__ import annotations

import re

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


BUILDX_OUTSIDE = (
    "cannot be used with BUILDX_CONFIG set: it points outside the action's own Docker config,"
    " where scoped credentials would outlive the step; unset BUILDX_CONFIG for this step"
)


def test_a_scope_with_buildx_config_set_is_refused_with_the_inputs() -> None:
    env = {"BUILDX_CONFIG": "/home/runner/.buildx"}
    with pytest.raises(InputError, match=rf"^input 'scope': scope {re.escape(BUILDX_OUTSIDE)}$"):
        parse_logins({"username": "u", "password": "p", "scope": "o/app@push"}, env)
    auth = (
        "- {registry: ghcr.io, username: u, password: p}\n"
        "- {username: o, password: q, scope: '@push'}"
    )
    with pytest.raises(
        InputError, match=rf"^input 'registry-auth': scope of entry 2 {re.escape(BUILDX_OUTSIDE)}$"
    ):
        parse_logins({"registry-auth": auth}, env)


@pytest.mark.parametrize(
    ("raw", "env"),
    [
        ({"scope": ""}, {"BUILDX_CONFIG": "/home/runner/.buildx"}),  # no scope
        ({"scope": "o/app@push"}, {"BUILDX_CONFIG": ""}),  # empty: buildx's default place
        ({"scope": "o/app@push"}, {"BUILDX_CONFIG": "/x", scope.DISABLED: "true"}),  # plain login
    ],
    ids=["no-scope", "empty", "scope-disabled"],
)  # fmt: skip
def test_buildx_config_is_refused_only_with_a_scope(
    raw: dict[str, str], env: dict[str, str]
) -> None:
    [login] = parse_logins({"username": "u", "password": "p", **raw}, env)
    assert login.scope == (raw["scope"] if not env.get(scope.DISABLED) else "")


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
