"""Registry logins: login-action's inputs, and the password only ever on stdin."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from build_push_py.errors import InputError
from build_push_py.registry.login import docker_config, parse_logins
from build_push_py.registry.method import Credential, RegistryLogin


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
        # login-action context.test.ts 'with password and username getInputs does not throw'
        pytest.param({"username": "dbowie", "password": "groundcontrol", "logout": "false"},
                     [RegistryLogin("docker.io", "dbowie", "groundcontrol")],
                     id="upstream-username-and-password"),
        # getInput trims the inputs, the password too
        pytest.param({"registry": " ghcr.io ", "username": " u ", "password": " p \n"},
                     [RegistryLogin("ghcr.io", "u", "p")], id="inputs-trimmed"),
        # registry-auth values are YAML's: not trimmed
        pytest.param({"registry-auth": "- {username: ' u', password: 'p '}"},
                     [RegistryLogin("docker.io", " u", "p ")], id="registry-auth-untrimmed"),
        pytest.param({"registry-auth": "- {username: u, password: p}", "logout": "false"},
                     [RegistryLogin("docker.io", "u", "p")], id="registry-auth-with-logout"),
        # login-action's own keys: with these values a plain login is what it does too
        pytest.param({"registry-auth": "- {username: u, password: p, ecr: auto, scope: ''}\n"
                                       "- {username: v, password: q, ecr: false}"},
                     [RegistryLogin("docker.io", "u", "p"), RegistryLogin("docker.io", "v", "q")],
                     id="registry-auth-ecr-auto-or-false"),
    ],
)  # fmt: skip
def test_parse_logins(raw: dict[str, str], expected: list[RegistryLogin]) -> None:
    assert parse_logins(raw) == expected


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param({"registry": "ghcr.io"},
                     r"'username'.*Username and password required for 'ghcr.io'",
                     id="registry-only"),
        pytest.param({"username": "u"}, r"'password'.*Password required for 'docker.io'",
                     id="fork-pr-empty-secret"),
        pytest.param({"password": "p"}, r"'username'.*Username required for 'docker.io'",
                     id="password-only"),
        pytest.param({"registry-auth": "- registry: a\n  username: u\n  password: p",
                      "username": "u"},
                     r"Cannot use registry-auth with other inputs \(username set; logout is",
                     id="both-kinds"),
        pytest.param({"registry-auth": "- {username: u, password: p}", "registry": "ghcr.io",
                      "password": "p"},
                     r"other inputs \(registry, password set;", id="both-kinds-named"),
        pytest.param({"registry-auth": "[]"}, r"'registry-auth'.*No registry to login",
                     id="empty-list"),
        pytest.param({"registry-auth": "- {username: u, password: p, ecr: true}"},
                     r"entry 1 is not an Amazon ECR registry, so no region", id="ecr-true-not-ecr"),
        pytest.param({"registry-auth": "- {username: u, password: p, ecr: yes-please}"},
                     r"'registry-auth'.*ecr of entry 1 must be auto, true or false",
                     id="ecr-unknown-word"),
        pytest.param({"registry-auth": "- {username: u, password: p}\n"
                                       "- {username: u, password: p, scope: 'a@push@pull'}"},
                     r"scope of entry 2 has more than one @", id="scope-two-ats"),
        pytest.param({"registry-auth": "registry: a"}, r"YAML list", id="not-a-list"),
        pytest.param({"registry-auth": "- [a]"}, r"entry 1 is not a mapping", id="not-a-mapping"),
        pytest.param({"registry-auth": "- registry: a\n  user: u"},
                     r"entry 1 has a key other than registry, username, password, ecr, scope",
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
                     r"entry 1 has a key other than registry, username, password, ecr, scope "
                     r"\(is a space missing after a colon\?\)", id="flow-key-without-space"),
        pytest.param(f"- registry: r\n  username: u\n    password:{SECRET}",
                     r"Password required for entry 1;", id="password-folded-into-username"),
        pytest.param("- username: u\n  password: !!int s3cretPW",
                     r"a value does not fit its tag \(!!int, !!float, !!timestamp\); quote it",
                     id="int-tag"),
        pytest.param("- username: u\n  password: !!float s3cretPW",
                     r"a value does not fit its tag", id="float-tag"),
        pytest.param("- username: u\n  password: !!timestamp s3cretPW",
                     r"a value does not fit its tag", id="timestamp-tag"),
        pytest.param("- username: u\n  password: !!int", r"a value does not fit its tag",
                     id="int-tag-without-value"),
        pytest.param("- username: u\n  password: !!bool", r"a value does not fit its tag",
                     id="bool-tag-without-value"),
        pytest.param("[" * 5000, r"nests too deeply", id="deeply-nested"),
        pytest.param("- username: u\n  password: s3cretPW\0", r"line 2, column 21: .*control",
                     id="control-character"),
        pytest.param("- username: s3cretPW", r"Password required for entry 1;", id="no-password"),
        pytest.param("- password: s3cretPW", r"Username required for entry 1;", id="no-username"),
        pytest.param("- {username: u, password: p, ecr: s3cretPW, scope: s3cretPW}",
                     r"ecr of entry 1 must be auto, true or false", id="ecr-not-shown"),
        pytest.param("- {username: u, password: p, scope: '../s3cretPW'}",
                     r"scope of entry 1 leaves buildx's config directory", id="scope-not-shown"),
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
    assert "hunter2" not in repr(Credential("ghcr.io", "u", "hunter2"))


@pytest.mark.parametrize(
    ("logins", "expected"),
    [
        pytest.param(
            [Credential("ghcr.io", "octo", "hunter2")],
            {"auths": {"ghcr.io": {"auth": "b2N0bzpodW50ZXIy"}}},
            id="ghcr",
        ),
        pytest.param(
            [Credential("docker.io", "octo", "hunter2"),
             Credential("reg-a.test:15443", "a", "b:c")],
            {"auths": {"https://index.docker.io/v1/": {"auth": "b2N0bzpodW50ZXIy"},
                       "reg-a.test:15443": {"auth": "YTpiOmM="}}},
            id="docker-hub-key-and-colon-in-password",
        ),
    ],
)  # fmt: skip
def test_docker_config_is_what_docker_login_stores(
    logins: list[Credential], expected: dict[str, object]
) -> None:
    assert docker_config(logins) == expected


# -- any registry-auth text: a result or an InputError that never shows the password -----------

MARK = "Zq7"  # in every password and in no message of ours
PASSWORDS = st.text(st.sampled_from(list("abc019:,-[]{}#&*!|>'\"%@` \t")) | st.characters(),
                    min_size=3, max_size=16).map(lambda text: MARK + text)  # fmt: skip
SCALARS = st.text(st.sampled_from(list("ab:,-[]{}#&*!'\" ")), max_size=8)
KEYS = st.sampled_from(["registry", "username", "password", "user", "pass word", ""])
SEPARATORS = st.sampled_from([": ", ":", " : ", ":\n    ", ": |\n    ", ": !!int ", ": !!bool ",
                              ": !!float ", ": !!timestamp ", ": !!binary ", ": &a ", ": !x ",
                              ": ["])  # fmt: skip
INDENTS = st.sampled_from(["- ", "  ", "", "    ", "-", "\t", "- - "])


@st.composite
def yamlish(draw: st.DrawFn, password: str) -> str:
    """Lines like a registry-auth list, each piece of them possibly wrong."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        key = draw(KEYS)
        value = password if key == "password" else draw(SCALARS)
        lines.append(f"{draw(INDENTS)}{key}{draw(SEPARATORS)}{value}")
    if draw(st.booleans()):  # the password in a flow mapping, maybe without its space
        sep = draw(st.sampled_from([": ", ":"]))
        lines.append(f"- {{registry: r, username: u, password{sep}{password}}}")
    return "\n".join(lines)


@st.composite
def structures(draw: st.DrawFn, password: str) -> str:
    """Well-formed YAML of any shape, the password somewhere in it."""
    leaf = st.none() | st.booleans() | st.integers() | SCALARS | st.just(password)
    value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(KEYS, inner, max_size=3), max_leaves=8)  # fmt: skip
    entries = st.lists(st.dictionaries(KEYS, value, max_size=4), max_size=3) | value
    return yaml.safe_dump(draw(entries), default_flow_style=draw(st.booleans()))


def assert_result_or_silent_error(registry_auth: str, password: str) -> None:
    try:
        parse_logins({"registry-auth": registry_auth})
    except InputError as exc:
        shown = str(exc) + exc.hint
        assert password not in shown
        assert password.rstrip() not in shown


@settings(max_examples=200, deadline=None)
@given(PASSWORDS.flatmap(lambda pw: st.tuples(st.just(pw), yamlish(pw))))
def test_yamlish_registry_auth_never_shows_the_password(case: tuple[str, str]) -> None:
    password, registry_auth = case
    assert_result_or_silent_error(registry_auth, password)


@settings(max_examples=200, deadline=None)
@given(PASSWORDS.flatmap(lambda pw: st.tuples(st.just(pw), structures(pw))))
def test_any_yaml_structure_in_registry_auth_never_shows_the_password(
    case: tuple[str, str],
) -> None:
    password, registry_auth = case
    assert_result_or_silent_error(registry_auth, password)


@settings(max_examples=200, deadline=None)
@given(PASSWORDS, st.text(max_size=40), st.text(max_size=40))
def test_any_text_around_the_password_never_shows_it(
    password: str, before: str, after: str
) -> None:
    assert_result_or_silent_error(before + password + after, password)
