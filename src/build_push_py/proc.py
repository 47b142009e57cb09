"""The one way this action runs a program: an argv list, never a shell.

Secrets go to the program on stdin (``input``), never in argv, and the program gets only
the part of the environment it needs (``child_env``): never the action's inputs
(``INPUT_PASSWORD``, ``INPUT_SECRETS``, ...) nor a token. ``Runner`` is the seam the unit
tests replace with a fake that records argv.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Protocol

from .errors import ActionError, CommandError, EngineError
from .runner.workflow import commands_stopped

# What docker, buildx and git read from their environment.
_NAMES = frozenset(
    {
        "PATH", "HOME", "USER", "LANG", "TZ", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
        "SSH_AUTH_SOCK", "SOURCE_DATE_EPOCH",
        # the kubernetes driver's cluster
        "KUBECONFIG",
        # which cache service a type=gha cache talks to; its token and URLs are passed to
        # the build only when it has such a cache (plan.cache.GHA_VARIABLES)
        "ACTIONS_CACHE_SERVICE_V2",
    }
)  # fmt: skip
# Whole families, less the names that look like credentials (GITHUB_TOKEN, GIT_AUTH_TOKEN).
_PREFIXES = ("LC_", "DOCKER_", "BUILDX_", "BUILDKIT_", "GITHUB_", "GIT_")
_CREDENTIAL = re.compile(
    r"(^|_)(TOKENS?|PAT|PASSWORDS?|PASSWD|PASSPHRASE|SECRETS?|PRIVATE|CREDENTIALS?|KEYS?"
    r"|API_?KEY|AUTHS?|COOKIES?)(_|$)",
    re.IGNORECASE,
)
# git's configuration from the environment (GIT_CONFIG_COUNT, _KEY_<n>, _VALUE_<n>), not keys.
_GIT_CONFIG = re.compile(r"GIT_CONFIG_(KEY|VALUE)_\d+")
# Credentials a job puts in its environment for buildx itself: it fills in a type=s3 cache's
# keys from them (util/buildflags/cache.go, addAwsCredentials).
_CREDENTIAL_PREFIXES = ("AWS_",)


def child_env(env: Mapping[str, str], pass_env: Collection[str] = ()) -> dict[str, str]:
    """The part of ``env`` a child process gets: the allow-list above, and the names in
    ``pass_env`` (the variables a build's ``--secret id=x,env=NAME`` reads, a type=gha
    cache's token, keyless cosign's token request), but never an input of the action
    (``INPUT_*``)."""

    def passed(name: str) -> bool:
        if name.startswith("INPUT_"):
            return False
        if name in _NAMES or name in pass_env or name.startswith(_CREDENTIAL_PREFIXES):
            return True
        if _GIT_CONFIG.fullmatch(name):
            return True
        return name.startswith(_PREFIXES) and not _CREDENTIAL.search(name)

    return {name: value for name, value in env.items() if passed(name)}


@dataclass(frozen=True)
class Result:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str


class Runner(Protocol):
    def __call__(
        self,
        argv: Sequence[str],
        *,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        stream: bool = False,
        pass_env: Collection[str] = (),
    ) -> Result: ...


def _pump(src: IO[str], keep: deque[str], echo: Callable[[str], None] | None) -> None:
    with src:
        for line in src:
            keep.append(line)
            if echo is not None:
                echo(line)


class _Children:
    """The programs running now, each the leader of a process group of its own: a
    cancelled step signals, waits for and at last kills each group, whatever the thread
    that started it is doing. Once cancelled, no new program starts until ``stop``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()
        self.cancelled = False

    def add(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._running.add(proc)

    def remove(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._running.discard(proc)

    def running(self) -> list[subprocess.Popen[str]]:
        with self._lock:
            return list(self._running)


_CHILDREN = _Children()
# How long a cancelled step's programs get to end after the signal is passed on to them
# before their process groups are killed: the runner's SIGTERM follows its SIGINT after
# 7.5 s, its SIGKILL comes at 10 s, and the clean-up (``buildx rm``) needs the rest.
STOP_GRACE = 3.0


def cancelling() -> bool:
    """Whether the step was signalled and its clean-up has not begun: no program starts."""
    return _CHILDREN.cancelled


def interrupt(signum: int) -> None:
    """Pass ``signum`` on to every running program's process group; start no new one."""
    _CHILDREN.cancelled = True
    for proc in _CHILDREN.running():
        with suppress(ProcessLookupError, PermissionError):  # it ended meanwhile
            os.killpg(proc.pid, signum)


def stop(grace: float = STOP_GRACE) -> None:
    """Wait up to ``grace`` seconds for the running programs to end, then kill the process
    group of each that has not; then programs may start again (the clean-up's)."""
    deadline = time.monotonic() + grace
    for proc in _CHILDREN.running():
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        _CHILDREN.remove(proc)
    _CHILDREN.cancelled = False


def run(
    argv: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    stream: bool = False,
    pass_env: Collection[str] = (),
) -> Result:
    """Run ``argv`` with ``child_env(env, pass_env)``; with ``stream`` its output is echoed
    live and only the tail is kept. On a runner (``GITHUB_ACTIONS`` true in ``env``) the echo
    is fenced with ``::stop-commands::``: what a program prints comes from registries,
    BuildKit, Sigstore, the Dockerfile, and never becomes a workflow command. The fence is
    ``commands_stopped``'s, the one of ``Workflow.untrusted``: inside that one (the build)
    it adds no second, and a mask waits for it to close.

    ``env`` None (``context.git``) gives the child only ``PATH``, the search path Popen
    itself uses to find the program (``os.get_exec_path``): nothing else of this process's
    environment, which the entry points alone read, and git's read-only commands need no more.
    """
    args = list(argv)
    if _CHILDREN.cancelled:
        return Result(args, 128 + signal.SIGTERM, "", "not started: the step is being cancelled")
    given = env if env is not None else {"PATH": os.pathsep.join(os.get_exec_path())}
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(given, pass_env),
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            process_group=0,  # its own group: ``stop`` kills what it started too
        )
        _CHILDREN.add(proc)
    except FileNotFoundError as exc:
        raise EngineError(
            f"{args[0]} is not installed or not on PATH",
            hint="runs-on: ubuntu-latest  # a runner with Docker and buildx",
        ) from exc
    except OSError as exc:
        if exc.errno == errno.E2BIG:
            raise command_line_too_long(args) from exc
        raise
    limit = 200 if stream else None
    out: deque[str] = deque(maxlen=limit)
    err: deque[str] = deque(maxlen=limit)
    fenced = stream and given.get("GITHUB_ACTIONS") == "true"
    # Once the fence has ended (the run was interrupted, the program goes on), its output is
    # kept, no longer echoed.
    echoing, lock = [True], threading.Lock()

    def echo(line: str) -> None:
        with lock:
            if echoing[0]:
                _echo(line)

    # Not ``with proc``: interrupted, its exit would close the pipes, which waits for the
    # threads that read them, that is for the program to end. The pumps close the pipes at
    # their end; a program left running is ``stop``'s. The pumps echo without taking the
    # fence's lock: this thread holds it for them until the fence ends.
    with commands_stopped(_echo) if fenced else nullcontext():
        assert proc.stdout is not None  # noqa: S101 - set by PIPE
        assert proc.stderr is not None  # noqa: S101 - set by PIPE
        shown = echo if stream else None
        threads = [
            threading.Thread(target=_pump, args=(proc.stdout, out, shown), daemon=True),
            threading.Thread(target=_pump, args=(proc.stderr, err, shown), daemon=True),
        ]
        try:
            for t in threads:
                t.start()
            if input is not None and proc.stdin is not None:
                with suppress(BrokenPipeError):  # it ended without reading it all
                    proc.stdin.write(input)
                with suppress(BrokenPipeError):
                    proc.stdin.close()
            for t in threads:
                t.join()
        finally:
            with lock:
                echoing[0] = False
        returncode = proc.wait()
    _CHILDREN.remove(proc)
    return Result(args, returncode, "".join(out), "".join(err))


def command_line_too_long(args: Sequence[str]) -> ActionError:
    """The system refused to start ``args`` (E2BIG): how long it is, and what makes it so."""
    sizes = [len(arg.encode("utf-8", "surrogateescape")) + 1 for arg in args]
    flags = Counter(arg for arg in args if arg.startswith("--") and "=" not in arg)
    common = [f"{flag} ({count:,} times)" for flag, count in flags.most_common(2) if count > 1]
    return ActionError(
        f"the command line of {PurePath(args[0]).name} is too long for this system: "
        f"{len(args):,} arguments, {sum(sizes):,} bytes, the longest {max(sizes) - 1:,} bytes"
        + (f"; most of it is {', '.join(common)}" if common else ""),
        hint="with:\n  images: ...  # every image gets every tag: fewer images or tag rules\n"
        "  tags: ...    # make fewer --tag arguments; or build the images in separate steps",
    )


def _echo(line: str) -> None:
    # A last line without a newline would glue the next line (a stop-commands token) to it.
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()


def check(result: Result, what: str) -> Result:
    """Raise ``CommandError`` naming ``what`` when the command failed."""
    if result.returncode != 0:
        raise CommandError(what, result.argv, result.returncode, result.stderr, result.stdout)
    return result
