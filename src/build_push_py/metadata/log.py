"""What metadata-action prints, line for line and group by group (v6.2.0 ``src/main.ts``).

Pure: ``context_log`` and ``inputs_log`` are what comes before the metadata is computed
(``Context info``, ``Webhook payload`` when the runner debugs, the parsed inputs),
``meta_log`` what comes after, warnings in their places. Every line may hold text from
outside (a branch, the actor, the repository's description): the caller prints the lines of
a group as data only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..context import GitHubContext, variable
from .config import MetaInputs
from .jsnum import JS_PARSE_INT, js_int_str
from .meta import Meta, bake_file_text, bake_files, js_object, json_output

NO_VERSION = "No Docker image version has been generated. Check tags input."
NO_TAGS = "No Docker tag has been generated. Check tags input."
BAKE_KINDS = ("tags", "labels", "annotations")


@dataclass(frozen=True)
class LogGroup:
    """``core.group(title)`` with one ``core.info`` per line."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LogWarning:
    """``core.warning(message)``."""

    message: str


LogEntry = LogGroup | LogWarning


def _js_env(env: Mapping[str, str], name: str) -> str:
    """``process.env[name]`` in a template string: ``undefined`` when unset; bytes that were
    not UTF-8 shown as U+FFFD, as in every other field of the context."""
    return variable(env, name) if name in env else "undefined"


def _js_parse_int(text: str) -> str:
    """``String(parseInt(text, 10))``, as @actions/github reads the run number and id."""
    found = JS_PARSE_INT.match(text)
    if not found:
        return "NaN"
    value = js_int_str(found.group(2))
    # String(-0) is "0"
    return f"-{value}" if found.group(1) == "-" and value != "0" else value


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def js_date_string(moment: datetime) -> str:
    """``Date.prototype.toString()`` on a runner in UTC (GitHub's hosted runners are)."""
    utc = moment.astimezone(UTC)
    return (
        f"{_WEEKDAYS[utc.weekday()]} {_MONTHS[utc.month - 1]} {utc.day:02d} {utc.year:04d}"
        f" {utc:%H:%M:%S} GMT+0000 (Coordinated Universal Time)"
    )


def _as_javascript(value: Any) -> Any:
    """A parsed JSON value with the numbers JSON.parse would hold: 1.0 is 1 there."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, list):
        return [_as_javascript(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_javascript(item) for key, item in js_object(value).items()}
    return value


def js_json(value: Any) -> str:
    """``JSON.stringify(value, null, 2)``."""
    return json.dumps(_as_javascript(value), ensure_ascii=False, indent=2)


def context_log(
    ctx: GitHubContext, env: Mapping[str, str], commit_date: datetime
) -> list[LogGroup]:
    """``Context info`` of the context the metadata is computed from (``ctx``: after the
    pull request rewrite, or the checkout's), and the payload when ``RUNNER_DEBUG=1``."""

    def field(value: str, name: str) -> str:
        return value or _js_env(env, name)

    groups = [
        LogGroup(
            "Context info",
            (
                f"eventName: {field(ctx.event_name, 'GITHUB_EVENT_NAME')}",
                f"sha: {field(ctx.sha, 'GITHUB_SHA')}",
                f"ref: {field(ctx.ref, 'GITHUB_REF')}",
                f"workflow: {_js_env(env, 'GITHUB_WORKFLOW')}",
                f"action: {_js_env(env, 'GITHUB_ACTION')}",
                f"actor: {_js_env(env, 'GITHUB_ACTOR')}",
                f"runNumber: {_js_parse_int(ctx.run_number)}",
                f"runId: {_js_parse_int(ctx.run_id)}",
                f"commitDate: {js_date_string(commit_date)}",
            ),
        )
    ]
    if env.get("RUNNER_DEBUG") == "1":  # core.isDebug()
        groups.append(LogGroup("Webhook payload", (js_json(ctx.payload),)))
    return groups


def _js_bool(value: bool) -> str:
    return "true" if value else "false"


def inputs_log(inp: MetaInputs) -> list[LogGroup]:
    """The parsed ``images``, ``tags`` (highest priority first) and ``flavor``, as upstream's
    parsers print them when the metadata computation starts."""
    flavor = inp.flavor
    return [
        LogGroup(
            "Processing images input",
            tuple(f"name={i.as_written},enable={_js_bool(i.enable)}" for i in inp.images),
        ),
        LogGroup("Processing tags input", tuple(str(rule) for rule in inp.tags)),
        LogGroup(
            "Processing flavor input",
            (
                f"latest={flavor.latest.value}",
                f"prefix={flavor.prefix.source}",
                f"prefixLatest={_js_bool(flavor.prefix_latest)}",
                f"suffix={flavor.suffix.source}",
                f"suffixLatest={_js_bool(flavor.suffix_latest)}",
            ),
        ),
    ]


def meta_log(meta: Meta, inp: MetaInputs) -> list[LogEntry]:
    """What upstream prints once the metadata is computed, in its order."""
    entries: list[LogEntry] = [LogWarning(message) for message in meta.warnings]
    entries.append(
        LogGroup("Docker image version", (meta.version,))
        if meta.version
        else LogWarning(NO_VERSION)
    )
    entries.append(LogGroup("Docker tags", tuple(meta.tags)) if meta.tags else LogWarning(NO_TAGS))
    entries += [
        LogGroup("Docker labels", tuple(meta.labels)),
        LogGroup("Annotations", tuple(meta.annotations)),
        LogGroup("JSON output", (js_json(json_output(meta)),)),
    ]
    files = bake_files(meta, inp)
    entries += [
        LogGroup(f"Bake file definition ({kind})", (bake_file_text(files[f"bake-file-{kind}"]),))
        for kind in BAKE_KINDS
    ]
    return entries
