"""What a build leaves behind for the step outputs, also when it fails."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import CommandError


@dataclass(frozen=True)
class BuildResult:
    """The build's outputs. ``metadata`` is the metadata file pretty-printed as upstream
    prints it (``JSON.stringify(metadata, null, 2)``); empty strings when absent."""

    imageid: str = ""
    digest: str = ""
    metadata: str = ""


class BuildFailed(CommandError):
    """buildx failed; ``result`` still holds the outputs it wrote before failing."""

    def __init__(self, error: CommandError, result: BuildResult, message: str) -> None:
        super().__init__(
            error.what, error.argv, error.returncode, error.stderr, error.stdout,
            message=message, hint=error.hint,
        )  # fmt: skip
        self.result = result
