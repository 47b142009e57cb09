"""Any text given to the parsers or the renderer ends in a result or an InputError."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from support.meta import REPO, load_event

from build_push_py.context import GitHubContext
from build_push_py.errors import InputError
from build_push_py.inputs.lists import read_list, split_fields
from build_push_py.metadata import compute, parse_inputs
from build_push_py.metadata.expr import TemplateError, parse

# text that looks like the inputs: the characters of their grammar, plus anything
ALPHABET = st.sampled_from(list("{}=,\"'#\\/.:-_~!&|()[] \n\tvx0129aAzZ")) | st.characters()
TEXT = st.text(ALPHABET, max_size=60)
NAMES = st.sampled_from(["images", "tags", "flavor", "labels", "annotations", "meta-context"])
PREFIXES = st.sampled_from(
    [
        "",
        "type=",
        "type=raw,value=",
        "type=match,pattern=",
        "type=semver,pattern=",
        "type=sha,",
        "type=ref,event=",
        "{{",
        "{{date ",
        "name=",
        "prefix=",
        "latest=",
    ]
)


@settings(max_examples=300, deadline=None)
@given(NAMES, PREFIXES, TEXT)
def test_parse_inputs_result_or_input_error(name: str, prefix: str, text: str) -> None:
    with contextlib.suppress(InputError):
        parse_inputs({name: prefix + text})


@settings(max_examples=300, deadline=None)
@given(PREFIXES, TEXT)
def test_compute_result_or_input_error(prefix: str, text: str) -> None:
    try:
        inp = parse_inputs({"tags": prefix + text, "labels": "l=" + text})
    except InputError:
        return
    for ctx in (load_event("tag_semver"), GitHubContext()):
        with contextlib.suppress(InputError):
            compute(inp, ctx, REPO, datetime(2020, 1, 10, tzinfo=UTC), {})


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_expression_result_or_template_error(text: str) -> None:
    context = {"date": lambda p, h: "d", "x": "y"}
    with contextlib.suppress(TemplateError):
        parse(text).render(context)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_list_readers_result_or_input_error(text: str) -> None:
    try:
        items = read_list("tags", text)
    except InputError:
        return
    for item in items:
        assert item == item.strip()
        assert item
        with contextlib.suppress(InputError):
            split_fields("tags", item)
