"""Pure readings of the GitHub context that upstream does while building its context.

``effective_context`` applies what ``getContextFromWorkflow`` changes: the pull request ref
for ``pull_request_target`` and ``DOCKER_METADATA_PR_HEAD_SHA``. It is idempotent, so the
caller may apply it before looking up the commit date and ``compute`` applies it again.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ..context import GitHubContext


class ContextSource(StrEnum):
    WORKFLOW = "workflow"
    GIT = "git"


def get(data: Any, *path: str) -> Any:
    """``data?.a?.b``: None as soon as a step is missing or not an object."""
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def js_text(value: Any) -> str:
    """A payload value inside a JavaScript template string."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def effective_context(
    ctx: GitHubContext, env: Mapping[str, str], source: ContextSource
) -> GitHubContext:
    if source is not ContextSource.WORKFLOW:
        return ctx
    ref, sha = ctx.ref, ctx.sha
    if "pull_request_target" in ctx.event_name:
        # the runner gives the base branch here; upstream wants the pull request ref
        ref = f"refs/pull/{js_text(get(ctx.payload, 'number'))}/merge"
    head_sha = get(ctx.payload, "pull_request", "head", "sha")
    if (
        re.search("true", env.get("DOCKER_METADATA_PR_HEAD_SHA", ""), re.IGNORECASE)
        and "pull_request" in ctx.event_name
        and head_sha is not None
    ):
        sha = js_text(head_sha)
    if (ref, sha) == (ctx.ref, ctx.sha):
        return ctx
    return dataclasses.replace(ctx, ref=ref, sha=sha)


def commit_date_from_payload(ctx: GitHubContext) -> str:
    """The commit's timestamp when the push payload has it (``commits[]``, ``head_commit``)."""
    commits = get(ctx.payload, "commits")
    if isinstance(commits, list):
        for commit in commits:
            if get(commit, "id") == ctx.sha:
                stamp = get(commit, "timestamp")
                if stamp:
                    return str(stamp)
                break
    if get(ctx.payload, "head_commit", "id") == ctx.sha:
        stamp = get(ctx.payload, "head_commit", "timestamp")
        return str(stamp) if stamp else ""
    return ""
