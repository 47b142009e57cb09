"""What the run knows about GitHub: the event, the ref, the commit and the repository.

Read once from the environment (and the webhook payload file) into a frozen
``GitHubContext``; everything after this works from that value only.
Any variable may be missing or empty: the fields are then empty, never an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import proc
from .errors import EngineError

DEFAULT_SERVER_URL = "https://github.com"
DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class GitHubContext:
    event_name: str = ""
    sha: str = ""
    ref: str = ""
    head_ref: str = ""
    base_ref: str = ""
    repository: str = ""  # "owner/name"
    run_id: str = ""
    run_number: str = ""
    server_url: str = DEFAULT_SERVER_URL
    api_url: str = DEFAULT_API_URL
    payload: Mapping[str, Any] = field(default_factory=dict)
    # ISO-8601 commit date when the source already knows it (git context), else "".
    commit_date: str = ""

    @property
    def owner(self) -> str:
        return self.repository.partition("/")[0]

    @property
    def repo_name(self) -> str:
        return self.repository.partition("/")[2]


def _load_payload(path: str) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def from_env(env: Mapping[str, str]) -> GitHubContext:
    """The ``workflow`` context: what the runner put in the environment."""
    payload = _load_payload(env.get("GITHUB_EVENT_PATH", ""))
    repository = env.get("GITHUB_REPOSITORY", "")
    if not repository:
        repo = payload.get("repository")
        if isinstance(repo, Mapping) and isinstance(repo.get("full_name"), str):
            repository = repo["full_name"]
    return GitHubContext(
        event_name=env.get("GITHUB_EVENT_NAME", ""),
        sha=env.get("GITHUB_SHA", ""),
        ref=env.get("GITHUB_REF", ""),
        head_ref=env.get("GITHUB_HEAD_REF", ""),
        base_ref=env.get("GITHUB_BASE_REF", ""),
        repository=repository,
        run_id=env.get("GITHUB_RUN_ID", ""),
        run_number=env.get("GITHUB_RUN_NUMBER", ""),
        server_url=env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL,
        api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
        payload=payload,
    )


def git(args: list[str], cwd: str | None = None) -> str:
    """Output of a git command in ``cwd``, or '' when git or the command fails."""
    try:
        done = proc.run(["git", *args], cwd=cwd)
    except EngineError:  # no git on this machine: the git context is simply empty
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def git_ref(cwd: str | None = None) -> str:
    """The full ref of the checkout: a branch, else a tag pointing at HEAD, else ''."""
    branch = git(["symbolic-ref", "-q", "HEAD"], cwd)
    if branch:
        return branch
    tag = git(["describe", "--tags", "--exact-match", "HEAD"], cwd)
    return f"refs/tags/{tag}" if tag else ""


def from_git(env: Mapping[str, str], cwd: str | None = None) -> GitHubContext:
    """The ``git`` context: the event from the environment, ref/sha/date from the checkout."""
    base = from_env(env)
    sha = git(["rev-parse", "HEAD"], cwd)
    return replace(
        base,
        sha=sha or base.sha,
        ref=git_ref(cwd) or base.ref,
        commit_date=git(["log", "-1", "--format=%cI", "HEAD"], cwd) if sha else "",
    )
