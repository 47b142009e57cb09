"""The GitHub API look-ups of a run: the repository (``GET /repos/{owner}/{repo}``) and, for
``{{commit_date}}``, the commit (PyGithub's part: ``github_repo``).

Every failure (no token, 401, 404, rate limit, network) ends in one warning and the facts
known without the API, so a build never fails because the API is unreachable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from . import github_repo
from .context import GitHubContext
from .metadata.events import commit_date_from_payload
from .metadata.repo import RepoFacts, facts_without_api

# What a look-up started earlier found for (API URL, repository, token): the fields, the
# warning, or None when it has no answer for these.
Prefetched = Callable[[str, str, str], github_repo.Found | None]


def fetch_repo_facts(
    ctx: GitHubContext,
    token: str,
    *,
    warn: Callable[[str], None],
    prefetched: Prefetched | None = None,
) -> RepoFacts:
    known = facts_without_api(ctx)
    if not token:
        warn("No github-token: repository title, description and licence come from the event only")
        return known
    if not ctx.repository:
        warn("GITHUB_REPOSITORY is not set: no repository facts for the labels")
        return known
    found = prefetched(ctx.api_url, ctx.repository, token) if prefetched else None
    if found is None:
        found = github_repo.repository_fields(ctx.api_url, ctx.repository, token)
    if isinstance(found, str):
        warn(found)
        return known
    return RepoFacts(**found)


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
        repo = github_repo.repository(ctx.api_url, ctx.repository, token, lazy=True)
        committer = repo.get_commit(ctx.sha).commit.committer
        when: datetime | None = committer.date if committer is not None else None
    except github_repo.api_errors() as exc:
        warn(f"Cannot read commit {ctx.sha} from {ctx.api_url}: {github_repo.reason(exc)}")
        return ""
    if when is None:
        warn(f"Commit {ctx.sha} has no committer date: {{{{commit_date}}}} uses the current time")
        return ""
    return when.isoformat()
