"""The expression renderer, moment.js formats and the version grammars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from build_push_py.metadata.dateformat import format_moment, zone
from build_push_py.metadata.expr import TemplateError, parse
from build_push_py.metadata.versions import parse_pep440, parse_semver

CTX: dict[str, Any] = {"branch": lambda p, h: "feat/a&b", "name": "x", "n": 3}

RENDER_CASES = [
    pytest.param("v-{{branch}}", "v-feat/a&amp;b", id="escaped-like-handlebars"),
    pytest.param("{{{branch}}}", "feat/a&b", id="triple-stash-not-escaped"),
    pytest.param("{{&branch}}", "feat/a&b", id="ampersand-not-escaped"),
    pytest.param("{{ name }}-{{n}}", "x-3", id="spaces-and-numbers"),
    pytest.param("{{unknown}}", "", id="unknown-is-empty"),
    pytest.param("\\{{name}} {{name}}", "{{name}} x", id="escaped-mustache"),
    pytest.param("a {{~name~}} b", "axb", id="whitespace-control"),
    pytest.param("a{{! note }}b{{!-- }} --}}c", "abc", id="comments"),
    pytest.param("{{this.name}}/{{./name}}", "x/x", id="this-paths"),
    pytest.param("{{../name}}", "", id="parent-path-empty"),
    pytest.param("no expression", "no expression", id="plain-text"),
]


@pytest.mark.parametrize(("source", "expected"), RENDER_CASES)
def test_render(source: str, expected: str) -> None:
    assert parse(source).render(CTX) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("{{ raw }}.{{ version }}", False, id="two-statements"),
        pytest.param("{{ version }},{{raw }.", False, id="not-raw"),
        pytest.param("{{ raw }}", True, id="spaces"),
        pytest.param("{{ raw}}", True, id="space-left"),
        pytest.param("{{raw}}", True, id="bare"),
    ],
)
def test_is_raw_statement(source: str, expected: bool) -> None:
    """meta.test.ts isRawStatement (the second case does not even parse in Handlebars)."""
    try:
        result = parse(source).is_raw_statement()
    except TemplateError:
        result = False
    assert result is expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("{{name", id="unclosed"),
        pytest.param("{{#if name}}x{{/if}}", id="block"),
        pytest.param("{{> partial}}", id="partial"),
        pytest.param("{{name (sub)}}", id="sub-expression"),
        pytest.param("{{else}}", id="else"),
        pytest.param("{{name 'unclosed}}", id="unclosed-string"),
    ],
)
def test_refused(source: str) -> None:
    with pytest.raises(TemplateError):
        parse(source)


def test_missing_helper_with_params() -> None:
    with pytest.raises(TemplateError, match='missing helper "nothing"'):
        parse("{{nothing 'x'}}").render(CTX)


MOMENT = datetime(2020, 1, 10, 0, 30, 5, 123456, tzinfo=UTC)
FORMAT_CASES = [
    pytest.param("YYYYMMDD", "UTC", "20200110", id="date"),
    pytest.param("YYYYMMDD-HHmmss", "Asia/Tokyo", "20200110-093005", id="tokyo"),
    pytest.param(
        "YYYY-MM-DDTHH:mm:ss.SSS[Z]", "UTC", "2020-01-10T00:30:05.123Z", id="iso-escaped-z"
    ),
    pytest.param(None, "UTC", "2020-01-10T00:30:05Z", id="default-utc"),
    pytest.param(None, "America/New_York", "2020-01-09T19:30:05-05:00", id="default-offset"),
    pytest.param(
        "dddd Do MMMM YY, h:mm a", "UTC", "Friday 10th January 20, 12:30 am", id="names-ordinals"
    ),
    pytest.param(
        "GGGG-[W]WW-E Q DDDD X x", "UTC", "2020-W02-5 1 010 1578616205 1578616205123", id="iso-week"
    ),
    pytest.param("Z ZZ z", "Asia/Kolkata", "+05:30 +0530 IST", id="offsets"),
    pytest.param("LL LTS", "UTC", "January 10, 2020 12:30:05 AM", id="long-formats"),
    pytest.param("[YYYY] \\Y T", "UTC", "YYYY Y T", id="literals"),
]


@pytest.mark.parametrize(("fmt", "tz", "expected"), FORMAT_CASES)
def test_moment_format(fmt: str | None, tz: str, expected: str) -> None:
    assert format_moment(MOMENT.astimezone(zone(tz)), fmt) == expected


def test_zone_name_case_insensitive_and_unknown() -> None:
    assert str(zone("asia/tokyo")) == "Asia/Tokyo"
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus")


SEMVER_CASES = [
    pytest.param("v1.1.1", "1.1.1", id="v-prefix"),
    pytest.param("2.0.8-beta.67", "2.0.8-beta.67", id="prerelease"),
    pytest.param("v9.5.7-alpha.2+fork.3.1.8", "9.5.7-alpha.2", id="build-dropped"),
    pytest.param("v101.12.13", "101.12.13", id="big-parts"),
    pytest.param("v1.2", None, id="no-coercion"),
    pytest.param("1.2.3rc2", None, id="pep440-is-not-semver"),
    pytest.param("01.2.3", None, id="leading-zero"),
    pytest.param("1.2.3-01", None, id="prerelease-leading-zero"),
    pytest.param("release1", None, id="word"),
]


@pytest.mark.parametrize(("text", "version"), SEMVER_CASES)
def test_semver(text: str, version: str | None) -> None:
    parsed = parse_semver(text)
    assert (parsed.version if parsed else None) == version


PEP440_CASES = [
    pytest.param("v1.1.1", "1.1.1", False, id="v-prefix"),
    pytest.param("1.1beta2", "1.1b2", True, id="beta"),
    pytest.param("1.0dev4", "1.0.dev4", True, id="dev"),
    pytest.param("1.2.3rc2", "1.2.3rc2", True, id="rc"),
    pytest.param("1.2post1", "1.2.post1", True, id="post"),
    pytest.param("1.0-1", "1.0.post1", True, id="implicit-post"),
    pytest.param("1!2.0.C1", "1!2.0rc1", True, id="epoch-and-c"),
    pytest.param("1.0+abc.1", "1.0+abc,1", False, id="local-printed-as-js-array"),
    pytest.param("1.01", "1.1", False, id="leading-zero-number"),
    # JavaScript's Number() makes any run of digits a number, Infinity past 1.8e308
    pytest.param("1." + "1" * 5000, "1.Infinity", False, id="5000-digits-are-infinity"),
    pytest.param("1!" + "2" * 400 + ".0", "1!Infinity.0", False, id="400-digits-are-infinity"),
    pytest.param("1." + "0" * 5000 + "7", "1.7", False, id="5000-leading-zeros"),
    pytest.param("1.0rc" + "9" * 5000, "1.0rcInfinity", True, id="long-pre-release-number"),
    pytest.param("1.0+" + "1" * 5000, "1.0+Infinity", False, id="long-local-number"),
]


@pytest.mark.parametrize(("text", "clean", "not_final"), PEP440_CASES)
def test_pep440(text: str, clean: str, not_final: bool) -> None:
    parsed = parse_pep440(text)
    assert parsed is not None
    assert parsed.clean() == clean
    assert (parsed.is_prerelease or parsed.is_postrelease or parsed.is_devrelease) is not_final


def test_pep440_invalid() -> None:
    assert parse_pep440("sometag") is None
    assert parse_pep440(" 1.0") is None
