"""The metadata log: metadata-action v6.2.0's groups, lines and warnings, in its order.

Expected lines are what upstream's bundle (dist/index.cjs of v6.2.0) printed for the same
event fixture, inputs and environment, on a runner in UTC.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from support.meta import NOW, REPO, event_env, load_event, raw_inputs

from build_push_py.context import from_env
from build_push_py.metadata import compute, parse_inputs
from build_push_py.metadata.log import (
    LogGroup,
    LogWarning,
    context_log,
    inputs_log,
    js_date_string,
    js_json,
    meta_log,
)

PUSH = "push_branch"  # refs/heads/dev at 860c190, payload commit dated 2020-01-10T01:45:12Z
COMMIT = datetime(2020, 1, 10, 1, 45, 12, tzinfo=UTC)


def info(env: dict[str, str], ctx_changes: dict[str, Any]) -> tuple[str, ...]:
    ctx = replace(from_env(env), **ctx_changes)
    return context_log(ctx, env, COMMIT)[0].lines


@pytest.mark.parametrize(
    ("extra", "changes", "expected"),
    [
        pytest.param({}, {}, ["eventName: push", "sha: 860c1904a1ce19322e91ac35af1ab07466440c37",
                              "ref: refs/heads/dev", "workflow: undefined", "action: undefined",
                              "actor: undefined", "runNumber: NaN", "runId: NaN"],
                     id="fixture-alone"),
        pytest.param({"GITHUB_WORKFLOW": "CI build", "GITHUB_ACTION": "__run_2",
                      "GITHUB_ACTOR": "octo cat", "GITHUB_RUN_NUMBER": "15",
                      "GITHUB_RUN_ID": "123456789"}, {},
                     ["eventName: push", "sha: 860c1904a1ce19322e91ac35af1ab07466440c37",
                      "ref: refs/heads/dev", "workflow: CI build", "action: __run_2",
                      "actor: octo cat", "runNumber: 15", "runId: 123456789"],
                     id="runner-variables"),
        # @actions/github reads them with parseInt(x, 10)
        pytest.param({"GITHUB_RUN_NUMBER": " 15x", "GITHUB_RUN_ID": "-0"}, {},
                     ["runNumber: 15", "runId: 0"], id="parse-int"),
        pytest.param({"GITHUB_RUN_NUMBER": "1" * 30, "GITHUB_RUN_ID": "x1"}, {},
                     ["runNumber: 1.111111111111111e+29", "runId: NaN"], id="parse-int-extremes"),
        # set but empty is '', unset is undefined
        pytest.param({"GITHUB_WORKFLOW": "", "GITHUB_SHA": ""}, {},
                     ["sha: ", "workflow: "], id="empty-variables"),
        # the metadata's context: pull_request_target's ref is rewritten, git's comes from git
        pytest.param({}, {"ref": "refs/pull/15/merge"}, ["ref: refs/pull/15/merge"],
                     id="effective-ref"),
    ],
)  # fmt: skip
def test_context_info(extra: dict[str, str], changes: dict[str, Any], expected: list[str]) -> None:
    lines = info(event_env(PUSH) | extra, changes)
    assert set(expected) <= set(lines)
    assert lines[-1] == "commitDate: Fri Jan 10 2020 01:45:12 GMT+0000 (Coordinated Universal Time)"
    assert [line.partition(":")[0] for line in lines] == [
        "eventName", "sha", "ref", "workflow", "action", "actor", "runNumber", "runId",
        "commitDate",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(datetime(2024, 11, 13, 13, 42, 28, tzinfo=UTC),
                     "Wed Nov 13 2024 13:42:28 GMT+0000 (Coordinated Universal Time)", id="utc"),
        pytest.param(datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2))),
                     "Mon May 06 2024 05:08:09 GMT+0000 (Coordinated Universal Time)",
                     id="offset-shown-in-utc"),
        pytest.param(datetime(5, 1, 1, tzinfo=UTC),
                     "Sat Jan 01 0005 00:00:00 GMT+0000 (Coordinated Universal Time)",
                     id="year-padded"),
    ],
)  # fmt: skip
def test_commit_date_as_javascript_prints_it(moment: datetime, expected: str) -> None:
    assert js_date_string(moment) == expected


@pytest.mark.parametrize(
    ("debug", "titles"),
    [
        pytest.param("1", ["Context info", "Webhook payload"], id="runner-debug"),
        pytest.param("true", ["Context info"], id="only-1-is-debug"),
        pytest.param(None, ["Context info"], id="no-debug"),
    ],
)
def test_webhook_payload_only_when_the_runner_debugs(debug: str | None, titles: list[str]) -> None:
    env = event_env(PUSH) | ({"RUNNER_DEBUG": debug} if debug else {})
    groups = context_log(load_event(PUSH), env, COMMIT)
    assert [g.title for g in groups] == titles
    if debug == "1":
        assert json.loads(groups[1].lines[0]) == load_event(PUSH).payload


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"a": 1.0, "b": [2.5, 1e2]},
                     '{\n  "a": 1,\n  "b": [\n    2.5,\n    100\n  ]\n}',
                     id="numbers-as-javascript-holds-them"),
        pytest.param({"b": 1, "10": 2, "2": 3, "x": {}},
                     '{\n  "2": 3,\n  "10": 2,\n  "b": 1,\n  "x": {}\n}', id="index-keys-first"),
        pytest.param({"s": "é\n\u001b"}, '{\n  "s": "é\\n\\u001b"\n}', id="strings"),
    ],
)  # fmt: skip
def test_js_json(value: Any, expected: str) -> None:
    assert js_json(value) == expected


def test_inputs_as_upstream_prints_them() -> None:
    inp = parse_inputs(
        {"images": "ghcr.io/UserName/App\nname=Other/x,enable=false",
         "tags": "type=sha\ntype=ref,event=branch", "flavor": "prefix=p-{{sha}}-,onlatest=true"}
    )  # fmt: skip
    assert inputs_log(inp) == [
        LogGroup("Processing images input",
                 ("name=ghcr.io/UserName/App,enable=true", "name=Other/x,enable=false")),
        LogGroup("Processing tags input",
                 ("type=ref,event=branch,enable=true,priority=600",
                  "type=sha,prefix=sha-,format=short,enable=true,priority=100")),
        LogGroup("Processing flavor input",
                 ("latest=auto", "prefix=p-{{sha}}-", "prefixLatest=true", "suffix=",
                  "suffixLatest=false")),
    ]  # fmt: skip


def _log(event: str, inputs: dict[str, Any]) -> list[LogGroup | LogWarning]:
    inp = parse_inputs(raw_inputs(inputs))
    return meta_log(compute(inp, load_event(event), REPO, NOW, {}), inp)


def test_groups_in_upstream_order() -> None:
    log = _log(PUSH, {"images": ["user/app"], "tags": ["type=ref,event=branch"]})
    assert [entry.title for entry in log if isinstance(entry, LogGroup)] == [
        "Docker image version", "Docker tags", "Docker labels", "Annotations", "JSON output",
        "Bake file definition (tags)", "Bake file definition (labels)",
        "Bake file definition (annotations)",
    ]  # fmt: skip
    groups = {entry.title: entry.lines for entry in log if isinstance(entry, LogGroup)}
    assert groups["Docker image version"] == ("dev",)
    assert groups["Docker tags"] == ("user/app:dev",)
    assert (
        groups["Annotations"][0]
        == "manifest:org.opencontainers.image.created=2020-01-10T00:30:00.000Z"
    )
    assert json.loads(groups["JSON output"][0])["tag-names"] == ["dev"]
    bake = json.loads(groups["Bake file definition (tags)"][0])
    assert bake["target"]["docker-metadata-action"]["tags"] == ["user/app:dev"]


def test_warnings_where_upstream_gives_them() -> None:
    """tag_non_version: processing warnings first, then no version and no tags instead of
    their groups."""
    log = _log("tag_non_version", {"tags": ["type=semver,pattern={{version}}"]})
    assert log[:3] == [
        LogWarning("release1 is not a valid semver. More info: https://semver.org/"),
        LogWarning("No Docker image version has been generated. Check tags input."),
        LogWarning("No Docker tag has been generated. Check tags input."),
    ]
    assert isinstance(log[3], LogGroup)
    assert log[3].title == "Docker labels"
