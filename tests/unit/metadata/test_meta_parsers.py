"""The input parsers: upstream's tag.test.ts, flavor.test.ts, image.test.ts and context.test.ts."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.lists import read_list
from build_push_py.metadata import parse_inputs
from build_push_py.metadata.flavor import Latest, parse_flavor
from build_push_py.metadata.image import Image, parse_images
from build_push_py.metadata.tagrule import TagType, parse_rule, parse_rules

RULE_CASES = [
    pytest.param(
        "type=schedule,enable=true,pattern={{date 'YYYYMMDD'}}",
        "type=schedule,enable=true,pattern={{date 'YYYYMMDD'}},priority=1000",
        id="schedule-pattern",
    ),
    pytest.param(
        "type=schedule",
        "type=schedule,pattern=nightly,enable=true,priority=1000",
        id="schedule-default",
    ),
    pytest.param(
        "type=semver,priority=1,enable=true,pattern={{version}},value=v1.0.0",
        "type=semver,priority=1,enable=true,pattern={{version}},value=v1.0.0,match=",
        id="semver-value",
    ),
    pytest.param(
        'type=semver,pattern={{version}},value=p1/v1.0.0,"match=v(\\d.\\d.\\d)$"',
        "type=semver,pattern={{version}},value=p1/v1.0.0,match=v(\\d.\\d.\\d)$,enable=true,priority=900",
        id="semver-match",
    ),
    pytest.param(
        "type=match,enable=true,pattern=v(.*),group=1",
        "type=match,enable=true,pattern=v(.*),group=1,value=,priority=800",
        id="match-group",
    ),
    pytest.param(
        "type=match,priority=700,pattern=v(.*)",
        "type=match,priority=700,pattern=v(.*),group=0,value=,enable=true",
        id="match-priority",
    ),
    pytest.param("type=edge", "type=edge,branch=,enable=true,priority=700", id="edge"),
    pytest.param(
        "type=edge,enable=true,branch=master",
        "type=edge,enable=true,branch=master,priority=700",
        id="edge-branch",
    ),
    pytest.param(
        "type=ref,event=pr", "type=ref,event=pr,prefix=pr-,enable=true,priority=600", id="ref-pr"
    ),
    pytest.param("type=ref,event=tag", "type=ref,event=tag,enable=true,priority=600", id="ref-tag"),
    pytest.param(
        "acustomtag", "type=raw,value=acustomtag,enable=true,priority=200", id="bare-value-is-raw"
    ),
    pytest.param(
        "type=raw,enable=false,value=acustomtag5",
        "type=raw,enable=false,value=acustomtag5,priority=200",
        id="raw-disabled",
    ),
    pytest.param(
        "type=sha", "type=sha,prefix=sha-,format=short,enable=true,priority=100", id="sha"
    ),
    pytest.param(
        "type=sha,prefix=,format=long",
        "type=sha,prefix=,format=long,enable=true,priority=100",
        id="sha-long-no-prefix",
    ),
    pytest.param(
        "type=schedule,enable=true,pattern={{date 'YYYYMMDD' tz='Asia/Tokyo'}}",
        "type=schedule,enable=true,pattern={{date 'YYYYMMDD' tz='Asia/Tokyo'}},priority=1000",
        id="schedule-pattern-tz",
    ),
    # semver/pep440 also get match= (an attribute of later v5 releases)
    pytest.param(
        "type=semver,enable=true,pattern={{version}}",
        "type=semver,enable=true,pattern={{version}},value=,match=,priority=900",
        id="semver",
    ),
    pytest.param(
        "type=semver,priority=1,enable=true,pattern={{version}}",
        "type=semver,priority=1,enable=true,pattern={{version}},value=,match=",
        id="semver-priority",
    ),
    pytest.param(
        'type=match,enable=true,"pattern=^v(\\d.\\d.\\d)$",group=1',
        "type=match,enable=true,pattern=^v(\\d.\\d.\\d)$,group=1,value=,priority=800",
        id="match-quoted-pattern",
    ),
    pytest.param(
        "type=match,priority=700,enable=true,pattern=v(.*),group=1",
        "type=match,priority=700,enable=true,pattern=v(.*),group=1,value=",
        id="match-priority-group",
    ),
    pytest.param(
        "type=match,enable=true,pattern=v(.*),group=1,value=v1.2.3",
        "type=match,enable=true,pattern=v(.*),group=1,value=v1.2.3,priority=800",
        id="match-value",
    ),
    pytest.param(
        "type=ref,event=branch", "type=ref,event=branch,enable=true,priority=600", id="ref-branch"
    ),
    pytest.param(
        "type=raw,value=acustomtag2",
        "type=raw,value=acustomtag2,enable=true,priority=200",
        id="raw-value",
    ),
    pytest.param(
        "type=raw,enable=true,value=acustomtag4",
        "type=raw,enable=true,value=acustomtag4,priority=200",
        id="raw-enabled",
    ),
    pytest.param(
        "type=sha,format=long",
        "type=sha,format=long,prefix=sha-,enable=true,priority=100",
        id="sha-long",
    ),
    pytest.param(
        "type=sha,prefix=",
        "type=sha,prefix=,format=short,enable=true,priority=100",
        id="sha-no-prefix",
    ),
    pytest.param(
        "type=sha,enable=false",
        "type=sha,enable=false,prefix=sha-,format=short,priority=100",
        id="sha-disabled",
    ),
    pytest.param(
        "TYPE=raw, Value = spaced ",
        "type=raw,value=spaced,enable=true,priority=200",
        id="keys-lower-cased-values-trimmed",
    ),
    pytest.param(
        "type=raw,value=a=b",
        "type=raw,value=a=b,enable=true,priority=200",
        id="split-at-first-equals",
    ),
]


@pytest.mark.parametrize(("line", "described"), RULE_CASES)
def test_rule_defaults(line: str, described: str) -> None:
    assert str(parse_rule(line)) == described


def test_rules_sorted_by_priority_keeping_order() -> None:
    """tag.test.ts 'transform': defaults per type decide the order; ties keep input order."""
    rules = parse_rules(
        [
            "type=ref,event=branch",
            "type=ref,event=tag",
            "type=ref,event=pr",
            "type=schedule",
            "type=sha",
            "type=raw,foo",
            "type=edge",
            "type=semver,pattern={{version}}",
            'type=match,"pattern=\\d.\\d.\\d",group=0',
        ]
    )
    assert [(r.type, r.event if r.type is TagType.REF else None) for r in rules][:4] == [
        (TagType.SCHEDULE, None),
        (TagType.SEMVER, None),
        (TagType.MATCH, None),
        (TagType.EDGE, None),
    ]
    assert [str(r.event) for r in rules[4:7]] == ["branch", "tag", "pr"]
    assert [r.type for r in rules[7:]] == [TagType.RAW, TagType.SHA]


def test_default_rules_when_tags_empty() -> None:
    assert [str(r) for r in parse_rules([])] == [
        "type=schedule,pattern=nightly,enable=true,priority=1000",
        "type=ref,event=branch,enable=true,priority=600",
        "type=ref,event=tag,enable=true,priority=600",
        "type=ref,event=pr,prefix=pr-,enable=true,priority=600",
    ]


FLAVOR_CASES = [
    pytest.param(["latest=true"], (Latest.TRUE, "", False, "", False), id="latest-true"),
    pytest.param(["latest=false"], (Latest.FALSE, "", False, "", False), id="latest-false"),
    pytest.param(["latest=auto"], (Latest.AUTO, "", False, "", False), id="latest-auto"),
    pytest.param(["prefix=sha-"], (Latest.AUTO, "sha-", False, "", False), id="prefix"),
    pytest.param(["suffix=-alpine"], (Latest.AUTO, "", False, "-alpine", False), id="suffix"),
    pytest.param(
        ["latest=false", "prefix=dev-", "suffix=-alpine"],
        (Latest.FALSE, "dev-", False, "-alpine", False),
        id="all",
    ),
    pytest.param(
        ["prefix=dev-,onlatest=true"], (Latest.AUTO, "dev-", True, "", False), id="prefix-onlatest"
    ),
    pytest.param(
        ["suffix=-alpine,onlatest=true"],
        (Latest.AUTO, "", False, "-alpine", True),
        id="suffix-onlatest",
    ),
    pytest.param(
        ["prefix=dev-,onlatest=true", "suffix=-alpine,onlatest=true"],
        (Latest.AUTO, "dev-", True, "-alpine", True),
        id="both-onlatest",
    ),
    pytest.param(["prefix= "], (Latest.AUTO, "", False, "", False), id="blank-prefix"),
]


@pytest.mark.parametrize(("items", "expected"), FLAVOR_CASES)
def test_flavor(items: list[str], expected: tuple[object, ...]) -> None:
    f = parse_flavor(items)
    assert (
        f.latest,
        f.prefix.source,
        f.prefix_latest,
        f.suffix.source,
        f.suffix_latest,
    ) == expected


IMAGE_CASES = [
    pytest.param(["name/foo"], [Image("name/foo")], id="one"),
    pytest.param(
        ["name/foo,name/bar"], [Image("name/foo"), Image("name/bar")], id="comma-separated"
    ),
    pytest.param(["name/foo", "name/bar"], [Image("name/foo"), Image("name/bar")], id="two-lines"),
    pytest.param(
        ["name=name/bar", "name/foo,enable=false", "name=ghcr.io/UserName/Foo,enable=true"],
        [Image("name/bar"), Image("name/foo", False), Image("ghcr.io/username/foo")],
        id="attributes",
    ),
    pytest.param(["name/foo,name=name/bar,enable=true"], [Image("name/bar")], id="last-name-wins"),
    pytest.param(
        ["localhost:5000/app", "[::1]:5000/a/b"],
        [Image("localhost:5000/app"), Image("[::1]:5000/a/b")],
        id="registry-with-port",
    ),
]


@pytest.mark.parametrize(("items", "expected"), IMAGE_CASES)
def test_images(items: list[str], expected: list[Image]) -> None:
    assert list(parse_images(items)) == expected


LIST_CASES = [
    pytest.param(
        "moby/buildkit\nghcr.io/moby/mbuildkit",
        ["moby/buildkit", "ghcr.io/moby/mbuildkit"],
        id="lines",
    ),
    pytest.param(
        "moby/buildkit\n#comment\nghcr.io/moby/mbuildkit",
        ["moby/buildkit", "ghcr.io/moby/mbuildkit"],
        id="comment-line",
    ),
    # v6 (comment_no_infix): '#' starts a comment only where a line starts; v5 cut the line
    # at any '#' outside quotes (mylabel=foo)
    pytest.param(
        "mylabel=foo#bar\n#comment\nanother=bar",
        ["mylabel=foo#bar", "another=bar"],
        id="comment-inside-line-is-value",
    ),
    pytest.param(
        'url="https://example.com/#readme"',
        ['url="https://example.com/#readme"'],
        id="quote-inside-field-is-literal-and-so-is-the-hash",
    ),
    pytest.param(
        '"url=https://example.com/#readme"', ["url=https://example.com/#readme"], id="quoted-field"
    ),
    pytest.param(
        'type=match,"pattern=\\d.\\d"',
        ["type=match,pattern=\\d.\\d"],
        id="quotes-removed-fields-joined",
    ),
    pytest.param("  a  \n\n   \n b ", ["a", "b"], id="blank-lines-and-spaces"),
    pytest.param("a\r\nb", ["a", "b"], id="crlf"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("text", "expected"), LIST_CASES)
def test_list_input(text: str, expected: list[str]) -> None:
    assert read_list("labels", text) == expected


def test_parse_inputs_defaults_and_separators() -> None:
    inp = parse_inputs(
        {
            "images": "moby/buildkit",
            "sep-tags": ",",
            "sep-labels": " ",
            "sep-annotations": "",
            "bake-target": " meta ",
            "meta-context": "git",
            "github-token": "secret",
        }
    )
    assert (inp.sep_tags, inp.sep_labels, inp.sep_annotations) == (",", " ", "\n")
    assert inp.bake_target == "meta"
    assert inp.context == "git"
    assert "secret" not in repr(inp)
    assert parse_inputs({}).bake_target == "docker-metadata-action"


INVALID_CASES = [
    pytest.param({"tags": "type=foo"}, "unknown type 'foo'", id="unknown-type"),
    pytest.param(
        {"tags": "type=raw,value=x,patern=y"}, "unknown attribute 'patern'", id="unknown-attribute"
    ),
    pytest.param({"tags": "type=raw"}, "type=raw needs a value", id="raw-without-value"),
    pytest.param({"tags": "type=semver"}, "needs a pattern", id="semver-without-pattern"),
    pytest.param({"tags": "type=match"}, "needs a pattern", id="match-without-pattern"),
    pytest.param(
        {"tags": "type=match,pattern=v(.*),group=foo"},
        "group must be a number",
        id="match-group-not-number",
    ),
    pytest.param(
        {"tags": "type=match,pattern=v(.*"},
        "invalid regular expression",
        id="regex-does-not-compile",
    ),
    pytest.param(
        {"tags": "type=match,pattern=/v(.*)/q"},
        "invalid regular expression flags",
        id="regex-bad-flags",
    ),
    pytest.param(
        {"tags": "type=semver,pattern={{version}},match=v.*"},
        "capture group",
        id="semver-match-no-group",
    ),
    pytest.param({"tags": "type=ref"}, "needs event=", id="ref-without-event"),
    pytest.param({"tags": "type=ref,event=foo"}, "unknown event 'foo'", id="ref-bad-event"),
    pytest.param(
        {"tags": "type=sha,format=foo"}, "format must be short or long", id="sha-bad-format"
    ),
    pytest.param(
        {"tags": "type=raw,value=x,enable=yes"},
        "enable must be true or false",
        id="enable-not-bool",
    ),
    pytest.param(
        {"tags": "type=raw,value=x,priority=high"},
        "priority must be a whole number",
        id="priority-text",
    ),
    pytest.param(
        {"tags": "type=raw,value=x,priority=1.5"},
        "priority must be a whole number",
        id="priority-float",
    ),
    pytest.param(
        {"tags": "type=raw,value=x,priority=" + "1" * 5000},
        "priority must be a whole number of at most 9 digits",
        id="priority-5000-digits",
    ),
    pytest.param(
        {"tags": "type=raw,value=x,priority=-1000000000"},
        "priority must be a whole number of at most 9 digits",
        id="priority-10-digits",
    ),
    pytest.param(
        {"tags": "type=match,pattern=v(.*),group=" + "1" * 5000},
        "group must be a number of at most 9 digits",
        id="group-5000-digits",
    ),
    pytest.param({"tags": "type=raw,value={{branch"}, "unclosed", id="expression-unclosed"),
    pytest.param({"tags": "type=raw,value={{>partial}}"}, "not supported", id="expression-block"),
    pytest.param(
        {"tags": 'type=raw,value=a"b'}, "quote may only open a field", id="stray-quote-in-rule"
    ),
    pytest.param({"tags": '"type=raw'}, "quote is not closed", id="unclosed-quote"),
    pytest.param(
        {"flavor": "randomstr\nlatest=auto"}, "not of the form key=value", id="flavor-no-equals"
    ),
    pytest.param({"flavor": "unknwown=foo"}, "unknown key 'unknwown'", id="flavor-unknown-key"),
    pytest.param({"flavor": "latest"}, "not of the form key=value", id="flavor-latest-alone"),
    pytest.param(
        {"flavor": "latest=foo"}, "latest must be auto, true or false", id="flavor-latest-bad"
    ),
    pytest.param(
        {"flavor": "prefix=a,onlatest=maybe"},
        "onlatest must be true or false",
        id="flavor-onlatest-bad",
    ),
    pytest.param(
        {"images": "value=name/foo"}, "unknown attribute 'value'", id="image-unknown-attribute"
    ),
    pytest.param(
        {"images": "name/foo,bar=baz"},
        "unknown attribute 'bar'",
        id="image-unknown-attribute-after-name",
    ),
    pytest.param(
        {"images": "name/foo,enable=bar"}, "enable must be true or false", id="image-enable-bad"
    ),
    pytest.param({"images": "name=,enable=true"}, "image name is empty", id="image-name-empty"),
    pytest.param({"images": "user/app:latest"}, "is not an image name", id="image-with-tag"),
    pytest.param({"images": "my app"}, "is not an image name", id="image-with-space"),
    pytest.param({"labels": "a={{date 'YYYY' tz=}}"}, "unexpected", id="label-expression"),
    pytest.param({"meta-context": "github"}, "use workflow or git", id="bad-context-source"),
]


@pytest.mark.parametrize(("raw", "message"), INVALID_CASES)
def test_invalid_inputs(raw: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_inputs(raw)
    name = next(iter(raw))
    assert caught.value.input_name == name


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param("type=match,pattern=^(a|a)+$,value=" + "a" * 30 + "!", id="match"),
        pytest.param(
            "type=semver,pattern={{version}},match=^(a|a)+$,value=" + "a" * 30 + "!", id="semver"
        ),
    ],
)
def test_a_pattern_that_backtracks_without_end_is_an_error(tags: str) -> None:
    """The rule is the workflow's, the text a tag anyone who can push may choose: ``(a|a)+``
    against 30 ``a`` and a ``!`` would take hours; it ends after MATCH_TIMEOUT instead. (The
    issue's ``(a+)+`` no longer backtracks at all: the regex engine optimises it.)"""
    from build_push_py.context import GitHubContext  # noqa: PLC0415
    from build_push_py.metadata import RepoFacts, compute  # noqa: PLC0415
    from build_push_py.metadata.tagrule import MATCH_TIMEOUT  # noqa: PLC0415

    ctx = GitHubContext(event_name="push", ref="refs/tags/v1", sha="a" * 40)
    start = time.monotonic()
    with pytest.raises(InputError, match=r"did not finish within 1 s") as caught:
        compute(
            parse_inputs({"tags": tags}), ctx, RepoFacts(), datetime(2020, 1, 1, tzinfo=UTC), {}
        )
    assert caught.value.input_name == "tags"
    assert time.monotonic() - start < MATCH_TIMEOUT * 10


def test_nested_quantifiers_that_re_would_backtrack_on_finish_at_once() -> None:
    from build_push_py.metadata.tagrule import js_regex  # noqa: PLC0415

    start = time.monotonic()
    assert js_regex("^(a+)+$").groups("a" * 40 + "!") is None
    assert time.monotonic() - start < 0.5
