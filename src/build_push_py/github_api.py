"""The GitHub API look-ups of a run: the repository (``GET /repos/{owner}/{repo}``) and, for
``{{commit_date}}``, the commit (PyGithub's part: ``github_repo``).

Every failure (no token, 401, 404, rate limit, network, an answer that is not what the API
gives, no answer within ``github_repo.LIMIT`` seconds) ends in one warning and the facts
known without the API, so a build never fails or waits long because the API is unreachable.
The API's text is cleaned as the payload's is (``replace_undecoded``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from . import github_repo
from .context import GitHubContext, replace_undecoded
from .metadata.events import commit_date_from_payload
from .metadata.repo import RepoFacts, facts_without_api

# What a look-up started earlier found for (API URL, repository, token): the fields, the
# warning, or None when it has no answer for these.
Prefetched = Callable[[str, str, str], github_repo.Found | None]
T = TypeVar("T")


def within(limit: float, look_up: Callable[[], T]) -> T | None:
    """``look_up()``, or None when it has not returned within ``limit`` seconds. PyGithub's
    timeout is per read, and an answer that comes a byte at a time never trips it; the
    look-up left behind runs on in a daemon thread, its answer unused, until the process
    ends. ``look_up`` must not raise."""
    answers: list[T] = []
    worker = threading.Thread(target=lambda: answers.append(look_up()), daemon=True)
    worker.start()
    worker.join(limit)
    return answers[0] if answers else None


def fetch_repo_facts(
    ctx: GitHubContext,
    token: str,
    *,
    warn: Callable[[str], None],
    prefetched: Prefetched | None = None,
    limit: float = github_repo.LIMIT,
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
        found = within(
            limit, lambda: github_repo.repository_fields(ctx.api_url, ctx.repository, token)
        )
    if found is None:
        found = github_repo.no_answer(f"repository {ctx.repository}", ctx.api_url, limit)
    if isinstance(found, str):
        warn(replace_undecoded(found))
        return known
    return RepoFacts(**{key: replace_undecoded(value) for key, value in found.items()})


def fetch_commit_date(
    ctx: GitHubContext,
    token: str,
    *,
    warn: Callable[[str], None],
    limit: float = github_repo.LIMIT,
) -> str:
    """ISO date of ``ctx.sha``: from the push payload, else ``GET /repos/{o}/{r}/commits/{sha}``.

    '' when neither knows it; ``compute`` then uses ``now`` as upstream does.
    """
    from_payload = commit_date_from_payload(ctx)
    if from_payload or not ctx.sha:
        return from_payload
    if not token or not ctx.repository:
        warn("No github-token or repository: {{commit_date}} uses the current time")
        return ""

    def look_up() -> datetime | str:
        try:
            repo = github_repo.repository(ctx.api_url, ctx.repository, token, lazy=True)
            committer = repo.get_commit(ctx.sha).commit.committer
            when = committer.date if committer is not None else None
        except Exception as exc:  # any failure: as github_repo.repository_fields
            return f"Cannot read commit {ctx.sha} from {ctx.api_url}: {github_repo.reason(exc)}"
        if not isinstance(when, datetime):
            no_date = "has no committer date: {{commit_date}} uses the current time"
            return f"Commit {ctx.sha} {no_date}"
        return when

    found = within(limit, look_up)
    if found is None:
        found = github_repo.no_answer(f"commit {ctx.sha}", ctx.api_url, limit)
    if isinstance(found, str):
        warn(replace_undecoded(found))
        return ""
    return found.isoformat()
