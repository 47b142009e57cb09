"""What the run knows about GitHub: the event, the ref, the commit and the repository.

Read once from the environment (and the webhook payload file) into a frozen
``GitHubContext``; everything after this works from that value only.
Any variable may be missing or empty: the fields are then empty, never an error. A payload
file whose content is not a JSON payload is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import proc
from .errors import ActionError, EngineError

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


# Lone surrogates: what os.environ makes of bytes that are not UTF-8, and what JSON's
# "\udce9" decodes to. No output file can take them.
_UNDECODED = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _load_payload(path: str) -> dict[str, Any]:
    """The webhook payload; none when there is no file to read. Content that is not JSON
    fails the run instead of being taken for no payload (@actions/github fails too): the
    default branch, the base ref, the pull request's head and the commit date come from it,
    so tags computed without it would silently differ from what the event asks for."""
    if not path:
        return {}
    try:
        text = Path(path).read_bytes().decode("utf-8")
        data = json.loads(text)
        if _ESCAPED_SURROGATE.search(text):  # "\udce9" in JSON is a lone surrogate in Python
            data = json.loads(_UNDECODED.sub("\ufffd", json.dumps(data, ensure_ascii=False)))
    except OSError:
        return {}
    except UnicodeDecodeError:  # before ValueError, of which it is one
        problem = "is not UTF-8"
    except ValueError:
        problem = "is not JSON"
    except RecursionError:  # Python's json reads about 1000 levels; no webhook needs more
        problem = "is nested too deeply to be read"
    else:
        return data if isinstance(data, dict) else {}
    raise ActionError(f"GITHUB_EVENT_PATH={path!r}: the event payload {problem}")


def _variable(env: Mapping[str, str], name: str) -> str:
    """A variable's text with U+FFFD for bytes that were not UTF-8. Replaced, not refused:
    a branch name is the repository's, not the workflow's to fix, its tags keep only
    [a-zA-Z0-9._-] anyway, and U+FFFD is what any UTF-8 reader shows for those bytes."""
    return _UNDECODED.sub("\ufffd", env.get(name, ""))


def from_env(env: Mapping[str, str]) -> GitHubContext:
    """The ``workflow`` context: what the runner put in the environment."""
    payload = _load_payload(env.get("GITHUB_EVENT_PATH", ""))
    repository = _variable(env, "GITHUB_REPOSITORY")
    if not repository:
        repo = payload.get("repository")
        if isinstance(repo, Mapping) and isinstance(repo.get("full_name"), str):
            repository = repo["full_name"]
    return GitHubContext(
        event_name=_variable(env, "GITHUB_EVENT_NAME"),
        sha=_variable(env, "GITHUB_SHA"),
        ref=_variable(env, "GITHUB_REF"),
        head_ref=_variable(env, "GITHUB_HEAD_REF"),
        base_ref=_variable(env, "GITHUB_BASE_REF"),
        repository=repository,
        run_id=_variable(env, "GITHUB_RUN_ID"),
        run_number=_variable(env, "GITHUB_RUN_NUMBER"),
        server_url=_variable(env, "GITHUB_SERVER_URL") or DEFAULT_SERVER_URL,
        api_url=_variable(env, "GITHUB_API_URL") or DEFAULT_API_URL,
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
