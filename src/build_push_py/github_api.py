"""The GitHub API look-ups of a run: the repository (``GET /repos/{owner}/{repo}``) and, for
``{{commit_date}}``, the commit.

PyGithub is imported inside the functions: a run that needs no API call does not pay for
it. Every failure (no token, 401, 404, rate limit, network) ends in one warning and the
facts known without the API, so a build never fails because the API is unreachable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .context import GitHubContext
from .metadata.events import commit_date_from_payload, get
from .metadata.repo import RepoFacts, facts_without_api

if TYPE_CHECKING:
    from github.Repository import Repository

_TIMEOUT = 15


def _repository(ctx: GitHubContext, token: str, *, lazy: bool) -> Repository:
    from github import Auth, Github  # noqa: PLC0415 - ~300 ms, only when the API is used

    client = Github(
        auth=Auth.Token(token),
        base_url=ctx.api_url.rstrip("/"),
        timeout=_TIMEOUT,
        retry=None,  # a rate limit or 5xx is reported, not waited out
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=lazy,
    )
    return client.get_repo(ctx.repository)


def _api_errors() -> tuple[type[BaseException], ...]:
    from github import GithubException  # noqa: PLC0415
    from requests import RequestException  # noqa: PLC0415

    return (GithubException, RequestException, OSError, ValueError)


def fetch_repo_facts(ctx: GitHubContext, token: str, *, warn: Callable[[str], None]) -> RepoFacts:
    known = facts_without_api(ctx)
    if not token:
        warn("No github-token: repository title, description and licence come from the event only")
        return known
    if not ctx.repository:
        warn("GITHUB_REPOSITORY is not set: no repository facts for the labels")
        return known
    try:
        repo = _repository(ctx, token, lazy=False)
        licence = repo.license
        return RepoFacts(
            name=repo.name or "",
            description=repo.description or "",
            html_url=repo.html_url or "",
            license_spdx_id=(licence.spdx_id or "") if licence is not None else "",
            default_branch=repo.default_branch or "",
        )
    except _api_errors() as exc:
        warn(f"Cannot read repository {ctx.repository} from {ctx.api_url}: {_reason(exc)}")
        return known


def fetch_commit_date(ctx: GitHubContext, token: str, *, warn: Callable[[str], None]) -> str:
    """ISO date of ``ctx.sha``: from the push payload, else ``GET /repos/{o}/{r}/commits/{sha}``.

    '' when neither knows it; ``compute`` then uses ``now`` as upstream does.
    """
    from_payload = commit_date_from_payload(ctx)
    if from_payload or not ctx.sha:
        return from_payload
    if not token or not ctx.repository:
        warn("No github-token or repository: {{commit_date}} uses the current time")
        return ""
    try:
        committer = _repository(ctx, token, lazy=True).get_commit(ctx.sha).commit.committer
        when: datetime | None = committer.date if committer is not None else None
    except _api_errors() as exc:
        warn(f"Cannot read commit {ctx.sha} from {ctx.api_url}: {_reason(exc)}")
        return ""
    if when is None:
        warn(f"Commit {ctx.sha} has no committer date: {{{{commit_date}}}} uses the current time")
        return ""
    return when.isoformat()


def _reason(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    data = getattr(exc, "data", None)
    message = get(data, "message") if isinstance(data, dict) else None
    if status is not None:
        return f"HTTP {status}" + (f" {message}" if message else "")
    return str(exc) or type(exc).__name__
