"""PyGithub's part of the look-ups: the client, the repository's fields, and the reason of a
failure, on nothing of the action but the standard library (the look-up that ``prefetch``
starts runs this before the action is imported).

PyGithub is imported inside the functions: a run that needs no API call does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github.Repository import Repository

_TIMEOUT = 15
# The repository's facts (the fields of ``RepoFacts``), or why they could not be read.
Found = dict[str, str] | str


def repository(api_url: str, name: str, token: str, *, lazy: bool) -> Repository:
    from github import Auth, Github  # noqa: PLC0415 - slow, only when the API is used

    client = Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=_TIMEOUT,
        retry=None,  # a rate limit or 5xx is reported, not waited out
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=lazy,
    )
    return client.get_repo(name)


def api_errors() -> tuple[type[BaseException], ...]:
    from github import GithubException  # noqa: PLC0415
    from requests import RequestException  # noqa: PLC0415

    return (GithubException, RequestException, OSError, ValueError)


def repository_fields(api_url: str, name: str, token: str) -> Found:
    """``GET /repos/{owner}/{repo}``: the fields the labels use (``RepoFacts``'), or the
    warning that says why they could not be read."""
    try:
        repo = repository(api_url, name, token, lazy=False)
        licence = repo.license
        return {
            "name": repo.name or "",
            "description": repo.description or "",
            "html_url": repo.html_url or "",
            "license_spdx_id": (licence.spdx_id or "") if licence is not None else "",
            "default_branch": repo.default_branch or "",
        }
    except api_errors() as exc:
        return f"Cannot read repository {name} from {api_url}: {reason(exc)}"


def reason(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    data: Any = getattr(exc, "data", None)
    message = data.get("message") if isinstance(data, dict) else None
    if status is not None:
        return f"HTTP {status}" + (f" {message}" if message else "")
    return str(exc) or type(exc).__name__
