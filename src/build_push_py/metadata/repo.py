"""Facts about the repository that the labels and the provenance need: title, description,
licence, default branch, visibility. The API look-up that fills them is ``github_api``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..context import GitHubContext
from .events import get


@dataclass(frozen=True)
class RepoFacts:
    """What upstream reads from ``GET /repos/{owner}/{repo}``."""

    name: str = ""
    description: str = ""
    html_url: str = ""
    license_spdx_id: str = ""
    default_branch: str = ""


def facts_without_api(ctx: GitHubContext) -> RepoFacts:
    """The repository facts the workflow already knows (name, URL, and the payload's copy)."""
    repository = get(ctx.payload, "repository")
    return RepoFacts(
        name=ctx.repo_name or _text(get(repository, "name")),
        description=_text(get(repository, "description")),
        html_url=f"{ctx.server_url.rstrip('/')}/{ctx.repository}"
        if ctx.repository
        else _text(get(repository, "html_url")),
        license_spdx_id=_text(get(repository, "license", "spdx_id")),
        default_branch=_text(get(repository, "default_branch")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
