"""Every error a user can meet. Their ``str()`` is the message the user reads; ``hint`` is
the workflow YAML (or the step to take) that fixes it, shown in the job summary.

``buildx.result.BuildFailed``, a failed build with the outputs it wrote, is one of them.
Only the entry points turn them into an ``::error::`` line, a summary note and exit code 1
(``steps.outputs.report_failure``); any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class ActionError(Exception):
    """Base of every error caused by the user's input or environment."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


def input_hint(input_name: str, valid: str) -> str:
    """The generic fix of a bad input: the ``with:`` entry to change, and what is valid."""
    return f"with:\n  {input_name}: ...  # {valid}"


class InputError(ActionError):
    """An input value is invalid. Raised before anything is built or pushed."""

    def __init__(self, input_name: str, problem: str, hint: str = "") -> None:
        self.input_name = input_name
        self.problem = problem
        super().__init__(
            f"input {input_name!r}: {problem}", hint or input_hint(input_name, problem)
        )


class CommandError(ActionError):
    """A subprocess (docker, buildx, git) failed."""

    def __init__(
        self,
        what: str,
        argv: Sequence[str],
        returncode: int,
        stderr: str = "",
        stdout: str = "",
        *,
        message: str = "",
        hint: str = "",
    ) -> None:
        self.what = what
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        tail = last_lines(stderr or stdout)
        default = f"{what} failed (exit code {returncode})"
        super().__init__(message or (f"{default}: {tail}" if tail else default), hint)


class EngineError(ActionError):
    """The Docker engine or buildx is missing or unreachable."""


class LoginError(ActionError):
    """The registry refused the credentials, or could not be reached."""


class OidcError(LoginError):
    """The job's OIDC token, or a token exchanged for it, could not be had."""


class MissingDigests(ActionError):
    """A digest to merge is not in the registry: nothing was tagged."""


def last_lines(text: str, count: int = 5) -> str:
    """The last non-empty lines of a command's output, joined for one error line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:])
