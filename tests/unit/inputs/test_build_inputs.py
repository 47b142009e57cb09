"""Parsing and checking the build inputs."""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.build import BuildInputs, PushMode, Secret, parse_build_inputs
from build_push_py.inputs.lists import input_list, records
from build_push_py.inputs.table import env_name, read_raw
from build_push_py.plan.inputs import parse


def _build(**given: str) -> BuildInputs:
    """The build inputs of a whole parse (``github_token`` is ``github-token``)."""
    return parse(read_raw({env_name(k.replace("_", "-")): v for k, v in given.items()})).build


def test_defaults_from_the_inputs_table() -> None:
    inp = parse_build_inputs(read_raw({}))
    assert (inp.context, inp.push, inp.cache, inp.load, inp.buildkit_image) == (
        ".",
        PushMode.AUTO,
        True,
        False,
        "moby/buildkit:v0.33.0@sha256:6c2fa84a6b61ccd72899dde4239f8d5717f05f9a8ca6f3cad185fb1a95a94de3",
    )


@pytest.mark.parametrize(
    ("value", "ignore_comma", "quote", "expected"),
    [
        # actions-toolkit __tests__/util.test.ts, getInputList
        pytest.param("bar", False, True, ["bar"], id="single"),
        pytest.param("bar\nbaz", False, True, ["bar", "baz"], id="multiline"),
        pytest.param("bar,baz", False, True, ["bar", "baz"], id="comma"),
        pytest.param("bar,baz\ncat", True, True, ["bar,baz", "cat"], id="ignore-comma"),
        pytest.param("bar\n\n  \nbaz", False, True, ["bar", "baz"], id="empty-lines"),
        pytest.param('"a=1\nb"\nc', True, True, ["a=1\nb", "c"], id="quoted-multiline"),
        pytest.param('type=image,"name=a,b"', True, False, ['type=image,"name=a,b"'],
                     id="quotes-kept"),
        pytest.param("# not a comment", True, True, ["# not a comment"], id="hash-kept"),
    ],
)  # fmt: skip
def test_input_list(value: str, ignore_comma: bool, quote: bool, expected: list[str]) -> None:
    assert input_list("x", value, ignore_comma=ignore_comma, quote=quote) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('type=registry,"ref=a,b"\ntype=gha',
                     [["type=registry", "ref=a,b"], ["type=gha"]], id="quoted-field"),
        # csv-parse with trim: blanks after a closing quote, then the first line ending
        pytest.param('"a"  \nb', [["a"], ["b"]], id="blanks-then-the-first-newline"),
        pytest.param('"a"\t\r\nb\r\nc', [["a"], ["b"], ["c"]], id="blanks-then-the-first-crlf"),
    ],
)  # fmt: skip
def test_attribute_records(text: str, expected: list[list[str]]) -> None:
    assert records(text) == expected


KEY = "PRIVATE_SSH_KEY=TESTESTTESTESTTESTESTTESTEST"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # actions-toolkit util.test.ts 'preserves trailing new lines when trimming is disabled'
        pytest.param(f'"{KEY}\nTESTEST\nTESTEST\n\n\n"\n', [f"{KEY}\nTESTEST\nTESTEST\n\n\n"],
                     id="toolkit-trailing-newlines-kept"),
        # build-push-action v7.3 secrets (csv-parse 7.0.0 behind getList, run by hand)
        pytest.param('"PRIVATE_SSH_KEY=AAA\nBBB\n\n"\n', ["PRIVATE_SSH_KEY=AAA\nBBB\n\n"],
                     id="quoted-value-keeps-its-newlines"),
        pytest.param("FOO=bar  \n  BAZ=qux\n", ["FOO=bar  ", "  BAZ=qux"], id="blanks-kept"),
        pytest.param("A=1\n   \nB=2", ["A=1", "   ", "B=2"], id="blank-line-is-an-item"),
        pytest.param("\n\n", [], id="only-newlines"),
    ],
)  # fmt: skip
def test_input_list_untrimmed(value: str, expected: list[str]) -> None:
    assert input_list("secrets", value, ignore_comma=True, trim=False) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param('"PRIVATE_SSH_KEY=AAA\nBBB\n\n"\n',
                     [Secret("PRIVATE_SSH_KEY", "AAA\nBBB\n\n")], id="key-file-keeps-its-newlines"),
        pytest.param("FOO=bar  \n  BAZ=qux\n", [Secret("FOO", "bar  "), Secret("BAZ", "qux")],
                     id="value-blanks-kept-id-trimmed"),
        pytest.param("A=1\n   \nB=2", [Secret("A", "1"), Secret("B", "2")],
                     id="blank-line-skipped"),
        pytest.param("  TOKEN=abc\t", [Secret("TOKEN", "abc\t")], id="whole-input-untrimmed"),
    ],
)  # fmt: skip
def test_secrets_are_read_untrimmed(value: str, expected: list[Secret]) -> None:
    secrets = parse_build_inputs({"secrets": value}).secrets
    assert [(s.id, s.value) for s in secrets] == [(s.id, s.value) for s in expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # metadata-action's reading of annotations (meta.ts, v6 comments)
        pytest.param("no-value\nkey=\n=v\nk=a=b", ("key=", "=v", "k=a=b"),
                     id="no-equals-dropped-empty-key-or-value-kept"),
        pytest.param("a=1#x\n#comment\n  # b=2", ("a=1#x", "# b=2"), id="v6-comments"),
    ],
)  # fmt: skip
def test_annotations_read_as_metadata_action(value: str, expected: tuple[str, ...]) -> None:
    """The build's items of ``annotations``, as the metadata inputs read them (the levelled
    ones go to buildx as given); ``labels`` reach the build only as the metadata computes
    them."""
    assert _build(annotations=value).annotations == expected


@pytest.mark.parametrize(
    ("item", "explicit"),
    [
        pytest.param("index:a=1", True, id="index"),
        pytest.param("manifest:a=1", True, id="manifest"),
        pytest.param("index-descriptor:a=1", True, id="index-descriptor"),
        pytest.param("manifest-descriptor[linux/amd64]:a=1", True, id="with-platform"),
        pytest.param("index,manifest:a=1", True, id="list-of-levels"),
        pytest.param("manifest[linux/arm64/v8],index:a=1", True, id="list-with-platform"),
        pytest.param("a=1", False, id="no-level"),
        pytest.param("org.opencontainers.image.url=https://x:8/y", False, id="colon-in-value"),
        pytest.param("com.example:a=1", False, id="colon-in-key"),
        pytest.param("Manifest:a=1", False, id="not-a-level"),
        pytest.param("index,foo:a=1", False, id="one-unknown-level"),
        pytest.param("manifest[linux amd64]:a=1", False, id="bad-platform"),
    ],
)
def test_explicit_annotations_name_their_level(item: str, explicit: bool) -> None:
    inp = _build(annotations=item)
    assert inp.annotations == (item,)
    assert inp.explicit_annotations == ((item,) if explicit else ())


def test_secret_repr_hides_the_value() -> None:
    inp = parse_build_inputs({"secrets": "TOKEN=hunter2"})
    assert inp.secrets == (Secret("TOKEN", "hunter2"),)
    assert "hunter2" not in repr(inp)
    assert inp.secret_values == ("hunter2",)


def test_build_inputs_repr_shows_neither_token_nor_secret() -> None:
    inp = _build(github_token="ghs_t0ken", secrets='A=hunter2\n"B=multi\nline"')
    assert inp.github_token == "ghs_t0ken"
    shown = repr(inp)
    assert not [s for s in ("ghs_t0ken", "hunter2", "multi", "line") if s in shown]
    assert "Secret(id='A', value='***')" in shown


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        pytest.param({"push": "sometimes"}, r"'push'.*'sometimes'.*auto, true or false",
                     id="push"),
        pytest.param({"load": "maybe"}, r"'load'.*'maybe' is not a boolean", id="load-bool"),
        pytest.param({"cache": "2"}, r"'cache'.*not a boolean", id="cache-bool"),
        pytest.param({"platforms": "linux/amd64,arm64"}, r"'platforms'.*'arm64'.*os/arch",
                     id="platform-without-os"),
        # upstream warns "bbbbbbb is not a valid secret" and goes on without it
        pytest.param({"secrets": "MYSECRET=aaaa\nbbbbbbb"}, r"'secrets'.*secret 2 is not of",
                     id="10-unquoted-multiline-secret"),
        pytest.param({"secrets": "TOKEN="}, r"secret 1 \('TOKEN'=\.\.\.\)", id="empty-secret"),
        pytest.param({"secrets": "A=1\n  \n=2"}, r"secret 2 \(''=\.\.\.\)", id="empty-id"),
        pytest.param({"secrets": "A=1\n A=2 "}, r"'A' is given twice", id="duplicate-after-blanks"),
        pytest.param({"secrets": "A=1\nA=2"}, r"'A' is given twice", id="duplicate-secret"),
        pytest.param({"secrets": '"A=1'}, r"'secrets'.*CSV", id="unclosed-quote"),
        pytest.param({"secret-envs": "MY_SECRET"}, r"'secret-envs'.*'MY_SECRET'.*ID=ENV_NAME",
                     id="secret-env-without-env"),
        pytest.param({"secret-envs": "pw=INPUT_PASSWORD"},
                     r"'secret-envs'.*'INPUT_PASSWORD' is an input of the action.*secrets",
                     id="secret-env-of-an-input"),
        pytest.param({"secret-files": "=./key"}, r"'secret-files'.*ID=path", id="secret-file-id"),
        pytest.param({"cache-from": "ref=user/app:cache"}, r"'cache-from'.*no type=",
                     id="cache-without-type"),
        pytest.param({"cache-to": "type=gah"}, r"'cache-to'.*'gah' .*registry \| local",
                     id="cache-type-typo"),
        pytest.param({"outputs": "type=registy"}, r"'outputs'.*'registy'", id="output-typo"),
        pytest.param({"attests": "mode=max"}, r"'attests'.*type=", id="attest-without-type"),
        pytest.param({"provenance": "maximal"}, r"'provenance'.*'maximal'.*true, false",
                     id="provenance-word"),
        pytest.param({"add-hosts": "docker"}, r"'add-hosts'.*'docker'.*host:ip", id="add-host"),
        pytest.param({"allow": "network.hots"}, r"'allow'.*'network.hots'", id="entitlement"),
        pytest.param({"shm-size": "2 gigs"}, r"'shm-size'.*'2 gigs'", id="shm-size"),
        pytest.param({"ulimit": "files=1024"}, r"'ulimit'.*'files=1024'.*nofile", id="ulimit"),
        pytest.param({"ulimit": "nofile=lots"}, r"'ulimit'.*'nofile=lots'", id="ulimit-value"),
        pytest.param({"call": "lint"}, r"'call'.*'lint'.*build, check, outline, targets",
                     id="call"),
        pytest.param({"call": ","}, r"'call'.*','.*build, check, outline, targets",
                     id="call-without-a-field"),
        pytest.param({"build-contexts": "alpine"}, r"'build-contexts'.*'alpine'.*name=",
                     id="build-context"),
        pytest.param({"target": "a\nb"}, r"'target'.*single line", id="multi-line-target"),
    ],
)  # fmt: skip
def test_invalid_inputs(raw: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_build_inputs(raw)


# The context is buildx's last, positional argument and the builder one of `buildx inspect`
# and `buildx rm`: a value starting with '-' would be read as an option (`--push`).
@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("context", "--file=/etc/passwd", id="context-file-flag"),
        pytest.param("context", "--push", id="context-push-flag"),
        pytest.param("context", " -", id="context-dash"),
        pytest.param("builder", "--help", id="builder-help"),
        pytest.param("file", "-", id="file-from-stdin"),
        pytest.param("file", "--push", id="file-flag"),
        pytest.param("target", "--push", id="target-flag"),
        pytest.param("network", "--privileged", id="network-flag"),
        pytest.param("cgroup-parent", "-x", id="cgroup-parent-flag"),
    ],
)
def test_values_that_would_be_options(name: str, value: str) -> None:
    with pytest.raises(InputError, match=r"starts with '-'") as caught:
        parse_build_inputs({name: value})
    assert caught.value.input_name == name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("context", "./-odd-dir", id="context-path-with-dash"),
        pytest.param("context", "https://github.com/o/r.git#main:-dir", id="context-url"),
        pytest.param("file", "docker/-.Dockerfile", id="file-with-dash"),
        pytest.param("builder", "my-builder", id="builder-with-dash"),
    ],
)
def test_values_with_a_dash_inside_are_fine(name: str, value: str) -> None:
    assert getattr(parse_build_inputs({name: value}), name) == value


def test_secret_error_never_quotes_the_value() -> None:
    with pytest.raises(InputError) as caught:
        parse_build_inputs({"secrets": "ghp_verysecretvalue"})
    assert "verysecret" not in str(caught.value)
