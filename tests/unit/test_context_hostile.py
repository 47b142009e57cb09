"""The GitHub context from an environment and a payload that no well-behaved runner writes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from build_push_py import context
from build_push_py.errors import ActionError
from build_push_py.metadata.log import context_log


@pytest.mark.parametrize(
    ("content", "match"),
    [
        pytest.param(b"[" * 200_000 + b"]" * 200_000, "nested too deeply", id="nested-200k-deep"),
        pytest.param(b'{"a": ' * 5_000 + b"1" + b"}" * 5_000, "nested too deeply",
                     id="objects-5000-deep"),
        pytest.param(b'{"ref": "refs/heads/main"', "is not JSON", id="truncated"),
        pytest.param(b"", "is not JSON", id="empty-file"),
        pytest.param(b'{"ref": "caf\xe9"}', "is not UTF-8", id="latin-1"),
    ],
)  # fmt: skip
def test_unreadable_payload_is_an_error_naming_the_path(
    tmp_path: Path, content: bytes, match: str
) -> None:
    event = tmp_path / "event.json"
    event.write_bytes(content)
    with pytest.raises(ActionError, match=match) as caught:
        context.from_env({"GITHUB_EVENT_PATH": str(event)})
    assert str(caught.value).startswith(f"GITHUB_EVENT_PATH={str(event)!r}")


@pytest.mark.parametrize(
    ("payload", "keys"),
    [
        pytest.param(None, [], id="no-file-is-no-payload"),
        pytest.param("directory", [], id="a-directory-is-no-payload"),
        pytest.param(b"[1, 2]", [], id="not-an-object-is-no-payload"),
        pytest.param(b'{"a": ' * 100 + b"1" + b"}" * 100, ["a"], id="100-deep-is-read"),
    ],
)  # fmt: skip
def test_payload_read(tmp_path: Path, payload: bytes | str | None, keys: list[str]) -> None:
    event = tmp_path / "event.json"
    if isinstance(payload, bytes):
        event.write_bytes(payload)
    elif payload == "directory":
        event.mkdir()
    assert list(context.from_env({"GITHUB_EVENT_PATH": str(event)}).payload) == keys


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        # os.environ gives bytes that are not UTF-8 as surrogate escapes
        pytest.param("GITHUB_REF", "refs/heads/caf\udce9", "refs/heads/caf\ufffd",
                     id="ref-latin-1"),
        pytest.param("GITHUB_HEAD_REF", "\udcff\udcfe", "\ufffd\ufffd", id="head-ref-two-bytes"),
        pytest.param("GITHUB_REPOSITORY", "o/\udc80", "o/\ufffd", id="repository"),
        pytest.param("GITHUB_REF", "refs/heads/café", "refs/heads/café", id="utf-8-kept"),
    ],
)  # fmt: skip
def test_undecodable_characters_are_replaced(name: str, value: str, expected: str) -> None:
    ctx = context.from_env({name: value})
    fields = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    assert expected in fields.values()
    for text in fields.values():
        if isinstance(text, str):
            text.encode("utf-8")  # what every output file needs


@pytest.mark.parametrize(
    ("json_text", "expected"),
    [
        pytest.param(r'{"base_ref": "caf\udce9"}', "caf\ufffd", id="lone-low-surrogate"),
        pytest.param(r'{"base_ref": "\uD800x"}', "\ufffdx", id="lone-high-surrogate-upper-case"),
        pytest.param(r'{"base_ref": "\ud83d\ude00"}', "\U0001f600", id="pair-is-one-character"),
    ],
)
def test_payload_strings_are_utf8(tmp_path: Path, json_text: str, expected: str) -> None:
    event = tmp_path / "event.json"
    event.write_text(json_text)
    assert context.from_env({"GITHUB_EVENT_PATH": str(event)}).payload == {"base_ref": expected}


def test_the_context_log_shows_undecodable_bytes_as_replacement_characters() -> None:
    """``GITHUB_WORKFLOW`` etc. are printed from the environment: bytes that were not UTF-8
    (surrogate escapes in Python) become U+FFFD there too, as in the context's fields."""
    env = {"GITHUB_WORKFLOW": "wf\udcff", "GITHUB_ACTOR": "me"}
    [group] = context_log(context.from_env(env), env, datetime(2026, 1, 1, tzinfo=UTC))
    assert "workflow: wf\ufffd" in group.lines
    assert "actor: me" in group.lines
    assert "action: undefined" in group.lines
