"""The errors a user can meet. Their ``str()`` is the message the user reads.

Only the entry point turns them into an ``::error::`` line and exit code 1; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class ActionError(Exception):
    """Base of every error caused by the user's input or environment."""


class InputError(ActionError):
    """An input value is invalid. Raised before anything is built or pushed."""

    def __init__(self, input_name: str, problem: str) -> None:
        self.input_name = input_name
        self.problem = problem
        super().__init__(f"input {input_name!r}: {problem}")


class CommandError(ActionError):
    """A subprocess (docker, buildx, git) failed."""

    def __init__(
        self, what: str, argv: list[str], returncode: int, stderr: str = "", stdout: str = ""
    ) -> None:
        self.what = what
        self.argv = argv
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        tail = last_lines(stderr or stdout)
        msg = f"{what} failed (exit code {returncode})"
        super().__init__(f"{msg}: {tail}" if tail else msg)


class EngineError(ActionError):
    """The Docker engine or buildx is missing or unreachable."""


def last_lines(text: str, count: int = 5) -> str:
    """The last non-empty lines of a command's output, joined for one error line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:])
