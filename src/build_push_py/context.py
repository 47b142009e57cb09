"""What the run knows about GitHub: the event, the ref, the commit and the repository.

Made from the runner's variables (``runner.env.RunnerEnv``, read once) and the webhook
payload file into a frozen ``GitHubContext``, which the metadata and the plan compute from;
its text has U+FFFD where a variable held bytes that were not UTF-8.
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
from .runner.env import DEFAULT_API_URL, DEFAULT_SERVER_URL, RunnerEnv


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


def replace_undecoded(text: str) -> str:
    """``text`` with U+FFFD for each lone surrogate. Replaced, not refused: a branch name is
    the repository's, not the workflow's to fix, its tags keep only [a-zA-Z0-9._-] anyway,
    and U+FFFD is what any UTF-8 reader shows for those bytes."""
    return _UNDECODED.sub("\ufffd", text)


def variable(env: Mapping[str, str], name: str) -> str:
    """A variable's text with U+FFFD for bytes that were not UTF-8 (``replace_undecoded``)."""
    return replace_undecoded(env.get(name, ""))


def from_runner(runner: RunnerEnv) -> GitHubContext:
    """The ``workflow`` context: what the runner put in the environment."""
    payload = _load_payload(runner.event_path)
    repository = replace_undecoded(runner.repository)
    if not repository:
        repo = payload.get("repository")
        if isinstance(repo, Mapping) and isinstance(repo.get("full_name"), str):
            repository = repo["full_name"]
    return GitHubContext(
        event_name=replace_undecoded(runner.event_name),
        sha=replace_undecoded(runner.sha),
        ref=replace_undecoded(runner.ref),
        head_ref=replace_undecoded(runner.head_ref),
        base_ref=replace_undecoded(runner.base_ref),
        repository=repository,
        run_id=replace_undecoded(runner.run_id),
        run_number=replace_undecoded(runner.run_number),
        server_url=replace_undecoded(runner.server_url),
        api_url=replace_undecoded(runner.api_url),
        payload=payload,
    )


def from_env(env: Mapping[str, str]) -> GitHubContext:
    """``from_runner`` for an environment mapping."""
    return from_runner(RunnerEnv.from_env(env))


# Put before every git command run on a checkout. The checkout may be a pull request's, and
# a repository's own .git/config can name programs that even a read-only command starts:
# `git show` verifies a signed commit with gpg.program when log.showSignature is set,
# index reads start core.fsmonitor, hooks run from core.hooksPath. `-c` overrides every
# config file. (buildx passes -c log.showSignature=false to its `git show` for the same
# reason.) git's own check of the repository's owner (safe.directory) is left to git: a
# checkout of another user is refused, unless the machine's /etc/gitconfig trusts it, as
# the action's image does for the workspace (see the Dockerfile).
_NO_PROGRAMS = ["--no-pager", "-c", "log.showSignature=false", "-c", "core.fsmonitor=false",
                "-c", "core.hooksPath=/dev/null"]  # fmt: skip
# What git (2.35.2 on, CVE-2022-24765) says when it refuses a repository of another user.
_NOT_OWNER = re.compile(r"detected dubious ownership|unsafe repository")


_OWNER_HINT = """\
Run as the owner of the checkout; or, with the command line, give what it would read there:
build-push-py plan --ref refs/heads/main --sha COMMIT --repository owner/name ..."""


class RefusedCheckout(ActionError):
    """git refuses to read the checkout: it belongs to another user."""

    def __init__(self, cwd: str | None) -> None:
        super().__init__(
            f"git refuses to read the checkout {cwd or '.'}: it belongs to another user, and a "
            "repository's configuration can make git run programs (git's safe.directory check)",
            hint=_OWNER_HINT,
        )


def _run_git(args: list[str], cwd: str | None) -> proc.Result:
    """git with ``args`` in ``cwd``, unable to start a program the repository names.
    Raises ``EngineError`` without git, ``RefusedCheckout`` when git refuses the checkout."""
    done = proc.run(["git", *_NO_PROGRAMS, *args], cwd=cwd)
    if done.returncode != 0 and _NOT_OWNER.search(done.stderr):
        raise RefusedCheckout(cwd)
    return done


def git_output(args: list[str], cwd: str | None = None) -> str | None:
    """Output of a git command in ``cwd``, None when git or the command fails. Raises
    ``RefusedCheckout`` when git refuses the checkout."""
    try:
        done = _run_git(args, cwd)
    except EngineError:  # no git on this machine
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git(args: list[str], cwd: str | None = None) -> str:
    """Output of a git command in ``cwd``, or '' when git or the command fails (without
    git, the git context is simply empty). Raises ``RefusedCheckout`` when git refuses
    the checkout."""
    return git_output(args, cwd) or ""


_GIT_HINT = """\
- uses: actions/checkout@v4  # meta-context: git reads the ref and commit of the checkout
- uses: org/build-push-py@v1
  with:
    meta-context: workflow  # or take them from the event instead"""


def _git_strict(args: list[str], cwd: str | None) -> str:
    """actions-toolkit ``Git.exec``: git's output, trimmed; git failing with something on
    stderr is an error whose message is that stderr."""
    try:
        done = _run_git(args, cwd)
    except EngineError as exc:
        raise ActionError(f"meta-context: git needs git: {exc}", hint=_GIT_HINT) from None
    if done.returncode != 0 and done.stderr:
        raise ActionError(done.stderr.strip(), hint=_GIT_HINT)
    return done.stdout.strip()


# The patterns of Git.getDetachedRef (JavaScript: '.' stops at any line break, '$' only at
# the end); git prints %D on one line.
_DOT = r"[^\n\r\u2028\u2029]"
_HEAD_AND_REFS = re.compile(rf"HEAD, ({_DOT}*)")
_PULL = re.compile(r"pull/[0-9]+/(?:head|merge)")
_REMOTE_AND_BRANCH = re.compile(rf"[^/]+/[^/]+, ({_DOT}+)")
_REMOTE_BRANCH = re.compile(rf"[^/]+/({_DOT}+)")
_REMOTE_REF = re.compile(rf"refs/remotes/[^/]+/({_DOT}+)")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _containing_ref(scope: str, cwd: str | None) -> str:
    newest_first = ["for-each-ref", "--format=%(refname)", "--contains", "HEAD",
                    "--sort=-committerdate", scope]  # fmt: skip
    return next(iter(_lines(_git_strict(newest_first, cwd))), "")


def _ref_containing_head(cwd: str | None) -> str:
    """A detached HEAD without decoration: the newest branch that contains it, local or
    remote, else the first tag that does (toolkit ``inferRefFromHead``)."""
    if local := _containing_ref("refs/heads/", cwd):
        return local
    if remote := _containing_ref("refs/remotes/", cwd):
        branch = _REMOTE_REF.fullmatch(remote)
        return f"refs/heads/{branch.group(1)}" if branch else remote
    if tags := _lines(_git_strict(["tag", "--contains", "HEAD"], cwd)):
        return f"refs/tags/{tags[0]}"
    raise ActionError("Cannot infer ref from detached HEAD", hint=_GIT_HINT)


def _detached_tag_ref(decoration: str, shown: str, cwd: str | None) -> str:
    """The tag of ``tag: v1, tag: v1.0, origin/main``: the longest tag pointing at HEAD
    that the decoration starts with (toolkit 0.92 ``findDetachedTagRef``)."""
    points_at = ["for-each-ref", "--format=%(refname)", "--points-at", "HEAD", "refs/tags/"]
    refs = _lines(_git_strict(points_at, cwd))
    refs.sort(key=len, reverse=True)  # stable: equal lengths keep git's order
    for ref in refs:
        tag = f"tag: {ref.removeprefix('refs/tags/')}"
        if decoration == tag or decoration.startswith(f"{tag}, "):
            return ref
    if len(refs) == 1:
        return refs[0]
    raise ActionError(f'Cannot find detached tag ref in "{shown}"', hint=_GIT_HINT)


def _detached_ref(cwd: str | None) -> str:
    """The ref of a detached HEAD, from its decoration (toolkit ``getDetachedRef``)."""
    shown = _git_strict(["show", "-s", "--pretty=%D"], cwd)
    decoration = shown.removeprefix("grafted, ").strip()
    if decoration == "HEAD":
        return _ref_containing_head(cwd)
    head = _HEAD_AND_REFS.fullmatch(decoration)
    if not head or not head.group(1):
        raise ActionError(f'Cannot find detached HEAD ref in "{shown}"', hint=_GIT_HINT)
    ref = head.group(1).strip()
    if ref.startswith("tag: "):
        return _detached_tag_ref(ref, shown, cwd)
    if _PULL.fullmatch(ref):
        return f"refs/{ref}"
    if branch := _REMOTE_AND_BRANCH.fullmatch(ref) or _REMOTE_BRANCH.fullmatch(ref):
        return f"refs/heads/{branch.group(1).strip()}"
    raise ActionError(f'Unsupported detached HEAD ref in "{shown}"', hint=_GIT_HINT)


def checkout_ref(cwd: str | None = None) -> str:
    """The full ref of the checkout, as actions-toolkit 0.92 ``Git.ref()`` finds it: the
    branch, else what a detached HEAD is decorated with (a tag, a pull request ref, a
    remote branch), else the branch or tag that contains it. Raises ``ActionError``."""
    if _git_strict(["branch", "--show-current"], cwd):
        return _git_strict(["symbolic-ref", "HEAD"], cwd)
    return _detached_ref(cwd)


def git_ref(cwd: str | None = None) -> str:
    """``checkout_ref``, or '' where there is no checkout (the CLI's default ref); a checkout
    git refuses is ``RefusedCheckout``."""
    try:
        return checkout_ref(cwd)
    except RefusedCheckout:
        raise
    except ActionError:
        return ""


def from_git(runner: RunnerEnv, cwd: str | None = None) -> GitHubContext:
    """The ``git`` context (metadata-action ``context: git``): the event from the runner's
    environment, ref, sha and commit date from the checkout in ``cwd``; git failing is an
    ``ActionError``, as upstream."""
    base = from_runner(runner)
    ref = checkout_ref(cwd)
    sha = _git_strict(["show", "--format=%H", "HEAD", "--quiet", "--"], cwd)
    commit_date = _git_strict(["show", "-s", "--format=%cI", sha], cwd)
    return replace(base, sha=sha, ref=ref, commit_date=commit_date)
