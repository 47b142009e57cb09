"""The runner's protocol for one step: log commands, masks, groups, and the file commands
(outputs, env, summary) at the paths named in the environment the step is given.

Outside a runner (``GITHUB_ACTIONS`` is not ``true``: the CLI on a laptop) workflow commands
become plain lines, masks print nothing (an ``::add-mask::`` line would show the secret on a
terminal) and file commands are written only where the given environment names a file.
"""

from __future__ import annotations

import secrets
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import github_action_utils as gau

_FILES = {
    "output": "GITHUB_OUTPUT",
    "env": "GITHUB_ENV",
    "summary": "GITHUB_STEP_SUMMARY",
}


def file_command(name: str, value: str) -> str:
    """One ``name<<DELIM`` record, with a delimiter that occurs in neither name nor value."""
    if not name or any(part in name for part in ("=", "<<", "\r", "\n", "\0")):
        raise ValueError(f"{name!r} cannot be a file command name")
    delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


# The one ``::stop-commands::`` fence of the process, and how deep the thread that holds it
# is inside it (changed only with the lock held). A mask, or a line printed by another
# thread, waits for the outermost fence to close: inside it the runner reads no command.
_FENCE = threading.RLock()
_depth = 0


@contextmanager
def commands_stopped(write: Callable[[str], None]) -> Iterator[None]:
    """Between the two lines ``write`` writes, the runner reads no workflow command: text
    from outside (``::add-mask::``, ``::warning ...``, even ``::stop-commands::``) stays text.
    The token is random, so the text cannot end the fence itself.

    Re-entrant: inside a fence (a build's log in ``Workflow.untrusted``, around the
    streamed buildx of ``proc.run``) it writes nothing, and the outermost fence's end line
    ends it. Other threads' masks and lines wait for that end (``_FENCE``)."""
    global _depth  # noqa: PLW0603 - the fence is one per process, as stdout is
    with _FENCE:
        outermost = _depth == 0
        token = secrets.token_hex(16) if outermost else ""
        if outermost:
            write(f"::stop-commands::{token}")
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if outermost:
                write(f"::{token}::")


class Workflow:
    """Workflow commands for one step, given its environment (never ``os.environ``).

    github-action-utils escapes the stdout commands; the file commands are written here
    because that library opens the path named in ``os.environ``, and a step run with another
    environment (the CLI, a test) must write where its own environment says.
    """

    def __init__(self, env: Mapping[str, str], out: TextIO | None = None) -> None:
        self.on_runner = env.get("GITHUB_ACTIONS") == "true"
        self._paths = {kind: env.get(var, "") for kind, var in _FILES.items()}
        self._out = out

    @property
    def passes_outputs_on(self) -> bool:
        """Whether a later step can read this one's outputs (an output or an env file)."""
        return bool(self._paths["output"] or self._paths["env"])

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    def info(self, message: str) -> None:
        # The login thread masks what it obtains while the run's thread prints: lines and
        # masks wait for a ::stop-commands:: fence to close (the runner ignores a mask
        # inside one), the fence of a Workflow or of a streamed program (proc.run).
        with _FENCE:
            self.out.write(message + "\n")
            self.out.flush()

    def warning(
        self, message: str, *, file: str | None = None, line: int | None = None,
        title: str | None = None,
    ) -> None:  # fmt: skip
        if self.on_runner:
            with _FENCE:  # as a mask: the runner ignores a warning inside a fence
                self.out.flush()
                gau.warning(message, title=title, file=file, line=line)
        else:
            where = f"{file}:{line}: " if file and line else ""
            sys.stderr.write(f"warning: {where}{message}\n")

    def error(self, message: str) -> None:
        if self.on_runner:
            with _FENCE:
                self.out.flush()
                gau.error(message)
        else:
            sys.stderr.write(f"error: {message}\n")

    def mask(self, value: str) -> None:
        """Mask a secret; the runner matches masks per line, so mask every line."""
        if not self.on_runner:
            return
        with _FENCE:
            self.out.flush()
            for line in value.splitlines() or [value]:
                if line.strip():
                    gau.add_mask(line)

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        if not self.on_runner:
            self.info(f"== {title}")
            yield
            return
        self.info(f"::group::{title}")
        try:
            yield
        finally:
            self.info("::endgroup::")

    @contextmanager
    def untrusted(self) -> Iterator[None]:
        """Print text from outside (event fields, buildx's log) without the runner reading
        any of it as a workflow command."""
        if not self.on_runner:  # a terminal reads no workflow commands
            yield
            return
        with commands_stopped(self.info):
            yield

    def _append(self, kind: str, text: str) -> None:
        path = self._paths[kind]
        if path:
            with Path(path).open("a", encoding="utf-8") as handle:
                handle.write(text)

    def set_output(self, name: str, value: str) -> None:
        self._append("output", file_command(name, value))

    def export_env(self, name: str, value: str) -> None:
        self._append("env", file_command(name, value))

    def summary(self, markdown: str) -> None:
        self._append("summary", markdown + "\n")
