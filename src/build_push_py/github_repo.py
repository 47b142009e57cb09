"""PyGithub's part of the look-ups: the client, the repository's fields, and the reason of a
failure, on nothing of the action but the standard library (the look-up that ``prefetch``
starts runs this before the action is imported).

PyGithub is imported inside the functions: a run that needs no API call does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github.Repository import Repository

_TIMEOUT = 15  # seconds, of each read (PyGithub's); LIMIT bounds the whole look-up
# Seconds a look-up may take in all; then the run goes on with the facts known without it.
LIMIT = 10.0
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


# The string fields of the answer that the labels use (``RepoFacts``'), and the licence's.
_FIELDS = ("name", "description", "html_url", "default_branch")


def repository_fields(api_url: str, name: str, token: str) -> Found:
    """``GET /repos/{owner}/{repo}``: the fields the labels use (``RepoFacts``'), or the
    warning that says why they could not be read."""
    try:
        return fields(repository(api_url, name, token, lazy=False).raw_data)
    # The look-up only adds labels: any failure of it, PyGithub's too (a redirect to another
    # host is a RuntimeError), is a warning and the facts known without it.
    except Exception as exc:
        return f"Cannot read repository {name} from {api_url}: {reason(exc)}"


def fields(answer: dict[str, Any]) -> dict[str, str]:
    """The fields of the API's answer, each a string or null (then ''); a field of another
    type is ``ValueError`` (PyGithub would raise on reading it)."""
    licence = answer.get("license")
    if licence is not None and not isinstance(licence, dict):
        raise ValueError('the answer\'s "license" is not an object')
    found = {key: answer.get(key) for key in _FIELDS}
    found["license_spdx_id"] = (licence or {}).get("spdx_id")
    for key, value in found.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"the answer's {key.replace('license_', 'license.')!r} is not text")
    return {key: value or "" for key, value in found.items()}


def no_answer(what: str, api_url: str, limit: float) -> str:
    """The warning of a look-up of ``what`` (``repository o/r``) that did not end in time."""
    return f"Cannot read {what} from {api_url}: no answer within {limit:g} s"


def reason(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    data: Any = getattr(exc, "data", None)
    message = data.get("message") if isinstance(data, dict) else None
    if status is not None:
        return f"HTTP {status}" + (f" {message}" if message else "")
    return str(exc) or type(exc).__name__
