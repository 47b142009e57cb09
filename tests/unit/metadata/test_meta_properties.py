"""Any text given to the parsers or the renderer ends in a result or an InputError; any payload,
commit date or environment in a result (whose outputs can be written) or a clear error."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.meta import NOW, REPO, SHA_DEV, load_event

from build_push_py import clock
from build_push_py.context import GitHubContext, from_env
from build_push_py.errors import ActionError, InputError
from build_push_py.inputs.lists import js_trim, read_list, split_fields
from build_push_py.metadata import (
    Meta,
    MetaInputs,
    bake_file_text,
    bake_files,
    compute,
    facts_without_api,
    meta_outputs,
    parse_inputs,
)
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
        assert item == js_trim(item)
        assert item
        with contextlib.suppress(InputError):
            split_fields("tags", item)


# -- the event payload, the commit date and the environment: outside the workflow's hands ------

ANY_CHAR = st.characters(exclude_categories=[])  # lone surrogates too, as JSON can spell them
JSON_LEAF = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
             | st.text(ANY_CHAR, max_size=12)
             | st.sampled_from(["", SHA_DEV, "refs/heads/main"]))  # fmt: skip
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                          max_leaves=10)  # fmt: skip
# every path of the payload the metadata reads
PAYLOAD_PATHS = [("base_ref",), ("number",), ("pull_request", "base", "ref"),
                 ("pull_request", "head", "sha"), ("repository", "default_branch"),
                 ("repository", "full_name"), ("repository", "name"),
                 ("repository", "description"), ("repository", "html_url"),
                 ("repository", "license", "spdx_id"), ("head_commit", "id"),
                 ("head_commit", "timestamp"), ("commits",)]  # fmt: skip
EVERYTHING = [
    "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr", "type=edge",
    "type=sha", "type=sha,format=long", "type=schedule,pattern={{date 'YYYYMMDD'}}",
    "type=semver,pattern={{version}}", "type=pep440,pattern={{major}}.{{minor}}",
    "type=match,pattern=v(.*),group=1",
    "type=raw,value={{branch}}-{{tag}}-{{sha}}-{{base_ref}}-{{is_default_branch}}",
    "type=raw,value={{commit_date 'YYYYMMDD-HHmmss gggg-ww GGGG-WW X x Z'}}",
]  # fmt: skip
ZONES = ["UTC", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns"]
FORMATS = ["YYYY", "gggg-ww", "GGGG-WW", "YYYYMMDD-HHmmss", "X x", "Z ZZ z", "LLLL", "DDDo"]


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    payload: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(PAYLOAD_PATHS), max_size=8)):
        *parents, last = path
        node = payload
        for key in parents:
            node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else {}
        node[last] = draw(JSON_VALUE)
    text = json.dumps(payload, ensure_ascii=draw(st.booleans()))
    depth = draw(st.sampled_from([0, 0, 0, 10, 990, 1100, 5000]))  # around json's limit
    return ("[" * depth + text + "]" * depth).encode("utf-8", "surrogatepass")


def outputs_are_utf8(meta: Meta, inp: MetaInputs) -> None:
    """What is written to the output files can be written."""
    for value in meta_outputs(meta, inp).values():
        value.encode("utf-8")
    for content in bake_files(meta, inp).values():
        bake_file_text(content).encode("utf-8")
    for message in meta.warnings:
        message.encode("utf-8")


def compute_all(ctx: GitHubContext, env: dict[str, str], now: datetime = NOW) -> None:
    inp = parse_inputs({"tags": "\n".join(EVERYTHING), "labels": "b={{base_ref}}"})
    try:
        meta = compute(inp, ctx, facts_without_api(ctx), now, env)
    except InputError:
        return
    outputs_are_utf8(meta, inp)


EVENT_NAMES = st.sampled_from(["push", "pull_request", "pull_request_target", "schedule"])
REFS = st.sampled_from(["refs/heads/main", "refs/tags/v1.2.3", "refs/pull/1/merge", ""])


@settings(max_examples=200, deadline=None)
@given(payloads(), EVENT_NAMES, REFS)
def test_any_payload_is_a_context_or_an_action_error(
    payload: bytes, event_name: str, ref: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        event = Path(folder) / "event.json"
        event.write_bytes(payload)
        env = {"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": event_name,
               "GITHUB_REF": ref, "GITHUB_SHA": SHA_DEV}  # fmt: skip
        try:
            ctx = from_env(env)
        except ActionError as exc:
            message = str(exc)
            assert "GITHUB_EVENT_PATH" in message
            return
    compute_all(ctx, {"DOCKER_METADATA_PR_HEAD_SHA": "true"})


OFFSETS = st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                        max_value=timedelta(hours=23, minutes=59))  # fmt: skip
COMMIT_DATES = (
    st.datetimes(timezones=st.none() | OFFSETS.map(timezone)).map(datetime.isoformat)
    | st.sampled_from(["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+12:00",
                       "9999-12-31", "0001-01-01", "2020-02-30", "2020-01-01T24:00:00"])
    | st.text(st.sampled_from(list("0123456789-:T+Z. ")), max_size=30)
    | st.text(ANY_CHAR, max_size=20)
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(COMMIT_DATES, st.sampled_from(FORMATS), st.sampled_from(ZONES))
@example("9999-12-31T23:59:59-12:00", "YYYY", "UTC")
def test_any_commit_date_renders_or_warns(commit_date: str, fmt: str, tz: str) -> None:
    ctx = dataclasses.replace(load_event("push_branch"), commit_date=commit_date)
    inp = parse_inputs({"tags": f"type=raw,value={{{{commit_date '{fmt}' tz='{tz}'}}}}"})
    meta = compute(inp, ctx, REPO, NOW, {})
    outputs_are_utf8(meta, inp)


NUMBERISH = (
    st.sampled_from(["", "0", "-0", "7", "40", "Infinity", "-Infinity", "+Infinity", "NaN",
                     "1e400", "-1e400", "1e-400", "0x10", "0b101", "0o17", "0x" + "f" * 300,
                     "1" * 5000, " 12 ", "4.5", "-3"])
    | st.integers().map(str) | st.floats().map(repr) | st.text(ANY_CHAR, max_size=12)
)  # fmt: skip
KNOBS = st.fixed_dictionaries(
    {},
    optional={
        "DOCKER_METADATA_SHORT_SHA_LENGTH": NUMBERISH,
        "DOCKER_METADATA_ANNOTATIONS_LEVELS": st.text(max_size=30)
        | st.sampled_from(["index,manifest", "manifest-descriptor", ",", ""]),
        "DOCKER_METADATA_PR_HEAD_SHA": st.text(max_size=10) | st.sampled_from(["true", "TRUE"]),
    },
)


@settings(max_examples=200, deadline=None)
@given(KNOBS, st.sampled_from(["push_branch", "pull_request", "tag_semver"]))
@example({"DOCKER_METADATA_SHORT_SHA_LENGTH": "-Infinity"}, "push_branch")
def test_any_metadata_knobs_give_a_result_or_an_input_error(
    env: dict[str, str], event: str
) -> None:
    compute_all(load_event(event), env)


@settings(max_examples=200, deadline=None)
@given(NUMBERISH | st.integers(-(2**40), 2**40).map(str), st.sampled_from(FORMATS),
       st.sampled_from(ZONES))  # fmt: skip
@example("253402300799", "YYYY", "Asia/Tokyo")
@example("-62135596800", "gggg", "Etc/GMT+12")
def test_any_source_date_epoch_is_a_now_that_renders_or_an_action_error(
    epoch: str, fmt: str, tz: str
) -> None:
    try:
        now = clock.now({"SOURCE_DATE_EPOCH": epoch})
    except ActionError as exc:
        message = str(exc)
        assert "SOURCE_DATE_EPOCH" in message
        return
    inp = parse_inputs({"tags": f"type=raw,value={{{{date '{fmt}' tz='{tz}'}}}}"})
    outputs_are_utf8(compute(inp, load_event("push_branch"), REPO, now, {}), inp)
