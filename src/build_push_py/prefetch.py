"""The repository look-up, started in a child process before the rest of the action is
imported.

The look-up is PyGithub's import (its hundreds of modules; bench/dry_run.py times a run) and
one request. In a child of its own it runs on another CPU while this process imports the
action, parses the inputs, logs in and probes buildx, instead of after them. The child is
forked first thing in the process (no threads yet), reads only the runner's variables,
prints nothing, and sends back what it found as JSON: the fields or the warning. The run
takes the answer only for the API URL, repository and token the child looked up, and looks
up in-process otherwise; a child that fails sends nothing, which means the same.

Only the standard library and ``github_repo`` (which imports PyGithub when called) are imported
here: the point is to fork before anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import time
from collections.abc import Mapping

from . import github_repo


class RepoLookup:
    """The child looking the repository up."""

    def __init__(self, pid: int, fd: int, key: tuple[str, str, str], limit: float) -> None:
        self._pid: int | None = pid
        self._fd = fd
        self._key = key  # (API URL, repository, token): what the child looks up
        self._limit = limit
        self._deadline = time.monotonic() + limit

    def result(self, api_url: str, repository: str, token: str) -> github_repo.Found | None:
        """What the child found for this key; None when it looked up another or failed (then
        the caller looks up itself). Waits for the child, until ``limit`` seconds after it
        started: then stops it and answers the warning. Only the first call reads."""
        if self._pid is None:
            return None
        if (api_url, repository, token) != self._key:
            self.close()
            return None
        # The pipe is the ``with``'s to close from here on, also when a cancel interrupts the
        # read: ``close`` must not close its number again (by then maybe another file's).
        fd, self._fd = self._fd, -1
        with os.fdopen(fd, "rb") as pipe:
            text = _read_until(pipe.fileno(), self._deadline)
        if text is None:
            self.close()
            return github_repo.no_answer(f"repository {repository}", api_url, self._limit)
        self._reap()
        return _decoded(text)

    def close(self) -> None:
        """Stop the child if it still runs (the run ended before it needed the answer)."""
        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._reap()

    def _reap(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = None


def _decoded(text: bytes) -> github_repo.Found | None:
    """The child's answer; None for anything else (it failed before it answered)."""
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if isinstance(found, str):
        return found
    if isinstance(found, dict) and all(isinstance(v, str) for v in found.values()):
        return found
    return None


def _read_until(fd: int, deadline: float) -> bytes | None:
    """All ``fd`` gives until its end, or None when that has not come by ``deadline``
    (``time.monotonic``). An answer already there is taken also when asked for later."""
    chunks: list[bytes] = []
    while select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0]:
        if not (chunk := os.read(fd, 65536)):
            return b"".join(chunks)
        chunks.append(chunk)
    return None


def start(env: Mapping[str, str], limit: float = github_repo.LIMIT) -> RepoLookup | None:
    """Fork the look-up, when there is one to make (a token, ``GITHUB_API_URL`` and
    ``GITHUB_REPOSITORY``, as the runner sets them) and this platform can fork; None
    otherwise. Its answer is waited for until ``limit`` seconds from now."""
    api_url, repository = env.get("GITHUB_API_URL", ""), env.get("GITHUB_REPOSITORY", "")
    token = env.get("INPUT_GITHUB-TOKEN", "").strip()  # as the input is read
    if not hasattr(os, "fork") or not (api_url and repository and token):
        return None
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its answer is what the tests check
        os.close(read_fd)
        _child((api_url, repository, token), write_fd)
    os.close(write_fd)
    return RepoLookup(pid, read_fd, (api_url, repository, token), limit)


def _child(what: tuple[str, str, str], fd: int) -> None:
    """Look up and answer; never returns (``os._exit``: no buffers or handlers of the parent
    run twice)."""
    code = 1
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(devnull, std)
        # PyJWT imports cryptography when it is installed (pip installs it with PyGithub),
        # for App and JWT signing; a token look-up needs neither, and PyJWT imports sooner
        # without it. Only this process, which ends after the look-up, goes without.
        sys.modules.setdefault("cryptography", None)  # type: ignore[arg-type]
        data = json.dumps(github_repo.repository_fields(*what)).encode()
        while data:
            data = data[os.write(fd, data) :]
        code = 0
    finally:
        os._exit(code)
