"""metadata-action v6's list inputs: ``#`` is a comment only where a line starts.

Rows c1-c21 are csv-parse 7.0.0 (and 6.1.0, same output) behind actions-toolkit's
``getList`` with ``comment: '#', comment_no_infix: true``; the input is what the runner
puts into ``INPUT_*``, before the whole value is trimmed.
"""

from __future__ import annotations

import pytest

from build_push_py.errors import InputError
from build_push_py.inputs.lists import read_list
from build_push_py.metadata import parse_inputs

V6_ROWS = [
    pytest.param("type=ref,event=branch\n# comment\ntype=sha",
                 ["type=ref,event=branch", "type=sha"], id="c1-comment-line"),
    pytest.param("type=ref,event=branch\n  # indented comment\ntype=sha",
                 ["type=ref,event=branch", "# indented comment", "type=sha"],
                 id="c2-indented-hash-is-an-item"),
    pytest.param("type=ref,event=branch\n\t# tab comment",
                 ["type=ref,event=branch", "# tab comment"], id="c3-tab-then-hash-is-an-item"),
    pytest.param("type=raw,value=foo#bar", ["type=raw,value=foo#bar"], id="c4-hash-in-value"),
    pytest.param("type=raw,value=foo #bar", ["type=raw,value=foo #bar"],
                 id="c5-blank-then-hash-in-value"),
    pytest.param("type=raw,value=#123", ["type=raw,value=#123"], id="c6-value-starts-with-hash"),
    pytest.param("a,#b", ["a,#b"], id="c7-hash-after-comma"),
    pytest.param("#only comment", [], id="c8-only-a-comment"),
    pytest.param("  #lead-ws-first-line", [], id="c9-first-line-trimmed-with-the-input"),
    pytest.param('"#quoted"', ["#quoted"], id="c10-quoted-hash"),
    pytest.param('""#x', [], id="c11-empty-quotes-then-comment"),
    pytest.param('"abc"#x', ["abc#x"], id="c12-quotes-then-hash"),
    pytest.param("org.opencontainers.image.url=https://x/#frag",
                 ["org.opencontainers.image.url=https://x/#frag"], id="c13-url-fragment"),
    pytest.param("name/app # trailing comment", ["name/app # trailing comment"],
                 id="c14-trailing-comment-is-value"),
    pytest.param("type=raw,value=a\r\n# c\r\ntype=raw,value=b",
                 ["type=raw,value=a", "type=raw,value=b"], id="c15-crlf"),
    pytest.param("a\r#c\rb", ["a", "b"], id="c16-cr"),
    pytest.param('x\n"multi\n#notcomment"\ny', ["x", "multi\n#notcomment", "y"],
                 id="c17-hash-line-inside-quotes"),
    pytest.param("a\n#c1\n#c2\nb", ["a", "b"], id="c18-two-comment-lines"),
    pytest.param('x\n#"unclosed\ny', ["x", "y"], id="c19-quote-inside-comment-ignored"),
    pytest.param('url="https://example.com/#readme"', ['url="https://example.com/#readme"'],
                 id="c20-relaxed-quote-mid-field"),
    pytest.param("type=raw,value=foo # note", ["type=raw,value=foo # note"],
                 id="c21-trailing-note-is-value"),
    # actions-toolkit util.test.ts 'multiline with comment and no infix comment'
    pytest.param("# ignore this\nfoo=bar\nbar=qux#baz", ["foo=bar", "bar=qux#baz"],
                 id="toolkit-no-infix-comment"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), V6_ROWS)
def test_v6_comments(text: str, expected: list[str]) -> None:
    assert read_list("tags", text) == expected


# metadata-action context.test.ts getInputs [2]-[5]: the five inputs all read this way
GET_INPUTS = [
    pytest.param({"images": "moby/buildkit\n#comment\nghcr.io/moby/mbuildkit"},
                 {"images": ["moby/buildkit", "ghcr.io/moby/mbuildkit"]}, id="2-images"),
    pytest.param({"labels": "mylabel=foo#bar\n#comment\nanother=bar"},
                 {"labels": ["mylabel=foo#bar", "another=bar"]}, id="3-labels"),
    pytest.param(
        {"annotations": "org.opencontainers.image.url=https://example.com/path#readme\n#comment\n"
                        "org.opencontainers.image.source=https://github.com/docker/metadata-action"},
        {"annotations": ["org.opencontainers.image.url=https://example.com/path#readme",
                         "org.opencontainers.image.source=https://github.com/docker/metadata-action"]},
        id="4-annotations",
    ),
    pytest.param({"tags": "type=raw,value=foo#bar\n#comment", "flavor": "prefix=v#1\n#comment"},
                 {"tags": ["type=raw,value=foo#bar"], "flavor": ["prefix=v#1"]},
                 id="5-tags-and-flavor"),
]  # fmt: skip


def _read(raw: dict[str, str]) -> dict[str, list[str]]:
    """Each given input as the parsed inputs hold it, written back as its lines."""
    inp = parse_inputs(raw)
    seen = {
        "images": [image.name for image in inp.images],
        "tags": [rule.source for rule in inp.tags],
        "flavor": [f"prefix={inp.flavor.prefix.source}"],  # the rows only set a prefix
        "labels": [label.source for label in inp.labels],
        "annotations": [annotation.source for annotation in inp.annotations],
    }
    return {name: seen[name] for name in raw}


@pytest.mark.parametrize(("raw", "expected"), GET_INPUTS)
def test_upstream_get_inputs(raw: dict[str, str], expected: dict[str, list[str]]) -> None:
    assert _read(raw) == expected


# found by running csv-parse 7.0.0 behind getList (relax_quotes) on generated text
RELAXED_ROWS = [
    pytest.param('"q"a=1', ['"q"a=1'], id="both-quotes-of-a-field-that-goes-on-stay"),
    pytest.param('"a="b,c",', ['"a="b,c",'], id="quote-closing-mid-field"),
    pytest.param('"x=1=""q"\tz', ['"x=1="q"\tz'], id="escaped-quote-then-mid-field-close"),
    # the record delimiter is the first line ending outside quotes, or right after one
    pytest.param('"\r"\nbab', ["bab"], id="line-ending-inside-quotes-is-not-the-delimiter"),
    pytest.param("a\nb\rc", ["a", "b\rc"], id="then-only-that-line-ending"),
    pytest.param("\ufeffa=1\ufeff", ["a=1"], id="javascript-trim-removes-bom"),
    pytest.param("\x1ca=1\x85", ["\x1ca=1\x85"], id="javascript-trim-keeps-separators"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), RELAXED_ROWS)
def test_relaxed_quotes_as_csv_parse(text: str, expected: list[str]) -> None:
    assert read_list("labels", text) == expected


def test_quote_left_open_after_the_real_delimiter() -> None:
    """'\\r' ends the first record, so the second opens a quote that never closes."""
    with pytest.raises(InputError, match="quote is not closed"):
        read_list("labels", '" a\n"q"\r" \t,a""')


def test_bad_quote_after_a_carriage_return_inside_an_item() -> None:
    """The list splits at '\\n', the item's own (strict) reading at its '\\r': tag.ts reads
    every record of the item, keeps the first and fails on the bad quote of the second."""
    with pytest.raises(InputError, match="closing quote must be followed by a comma"):
        parse_inputs({"tags": 'type=raw,value=a\ntype=raw,value=x\r"q"#'})
    rules = parse_inputs({"tags": "type=raw,value=a\ntype=raw,value=x\rjunk"}).tags
    assert [rule.value.source for rule in rules] == ["a", "x"]
