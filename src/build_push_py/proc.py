"""The one way this action runs a program: an argv list, never a shell.

Secrets go to the program on stdin (``input``), never in argv. ``Runner`` is the
seam the unit tests replace with a fake that records argv.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Protocol

from .errors import CommandError, EngineError


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
    ) -> Result: ...


def _pump(src: IO[str], keep: deque[str], echo: Callable[[str], None] | None) -> None:
    for line in src:
        keep.append(line)
        if echo is not None:
            echo(line)


def run(
    argv: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    stream: bool = False,
) -> Result:
    """Run ``argv``; with ``stream`` its output is echoed live and only the tail is kept."""
    args = list(argv)
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError as exc:
        raise EngineError(
            f"{args[0]} is not installed or not on PATH",
            hint="runs-on: ubuntu-latest  # a runner with Docker and buildx",
        ) from exc
    limit = 200 if stream else None
    out: deque[str] = deque(maxlen=limit)
    err: deque[str] = deque(maxlen=limit)
    echo = _echo if stream else None
    with proc:
        assert proc.stdout is not None  # noqa: S101 - set by PIPE
        assert proc.stderr is not None  # noqa: S101 - set by PIPE
        threads = [
            threading.Thread(target=_pump, args=(proc.stdout, out, echo), daemon=True),
            threading.Thread(target=_pump, args=(proc.stderr, err, echo), daemon=True),
        ]
        for t in threads:
            t.start()
        if input is not None and proc.stdin is not None:
            try:
                proc.stdin.write(input)
                proc.stdin.close()
            except BrokenPipeError:
                pass
        for t in threads:
            t.join()
        returncode = proc.wait()
    return Result(args, returncode, "".join(out), "".join(err))


def _echo(line: str) -> None:
    # A last line without a newline would glue the next line (a stop-commands token) to it.
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()


def check(result: Result, what: str) -> Result:
    """Raise ``CommandError`` naming ``what`` when the command failed."""
    if result.returncode != 0:
        raise CommandError(what, result.argv, result.returncode, result.stderr, result.stdout)
    return result
