"""Shared helpers for the metadata tables: event fixtures, the repository facts and ``now``
that upstream's own tests use (its ``repo.json`` and its mocked clock)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from build_push_py.context import GitHubContext, from_env
from build_push_py.metadata import Meta, RepoFacts, compute, parse_inputs

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
NOW = datetime(2020, 1, 10, 0, 30, tzinfo=UTC)
REPO = RepoFacts(
    name="Hello-World",
    description="This your first repo!",
    html_url="https://github.com/octocat/Hello-World",
    license_spdx_id="MIT",
    default_branch="master",
)
SHA_DEV = "860c1904a1ce19322e91ac35af1ab07466440c37"
SHA_MASTER = "266574110acf203503badf966df2ea24b5d732d7"
SHA_PR = "a9c8c5828b91be19d9728548b24759e352367ef1"
SHA_PR_HEAD = "3370e228f2209994d57af4427fe64e71bb79ac96"
SHA_INVALID = "983315b5e8d46e46fc4c49869e85e7ee5fb289ba"


def event_env(name: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (EVENTS / f"{name}.env").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    if env.get("GITHUB_EVENT_PATH"):
        env["GITHUB_EVENT_PATH"] = str(EVENTS / env["GITHUB_EVENT_PATH"])
    return env


def load_event(name: str, ref: str | None = None) -> GitHubContext:
    ctx = from_env(event_env(name))
    return dataclasses.replace(ctx, ref=ref) if ref is not None else ctx


def raw_inputs(inputs: Mapping[str, Any]) -> dict[str, str]:
    return {k: "\n".join(v) if isinstance(v, list | tuple) else v for k, v in inputs.items()}


def run(
    event: str,
    inputs: Mapping[str, Any],
    *,
    ref: str | None = None,
    env: Mapping[str, str] | None = None,
    repo: RepoFacts = REPO,
    ctx: GitHubContext | None = None,
) -> Meta:
    return compute(
        parse_inputs(raw_inputs(inputs)), ctx or load_event(event, ref), repo, NOW, env or {}
    )


def oci_labels(revision: str, version: str, **overrides: str) -> list[str]:
    """Upstream's default labels for its repo.json and mocked clock, sorted by key."""
    labels = {
        "org.opencontainers.image.created": "2020-01-10T00:30:00.000Z",
        "org.opencontainers.image.description": "This your first repo!",
        "org.opencontainers.image.licenses": "MIT",
        "org.opencontainers.image.revision": revision,
        "org.opencontainers.image.source": "https://github.com/octocat/Hello-World",
        "org.opencontainers.image.title": "Hello-World",
        "org.opencontainers.image.url": "https://github.com/octocat/Hello-World",
        "org.opencontainers.image.version": version,
    }
    labels.update(overrides)
    return [f"{k}={v}" for k, v in sorted(labels.items())]
