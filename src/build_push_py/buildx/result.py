"""What a build leaves behind for the step outputs, also when it fails."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildResult:
    """The build's outputs. ``metadata`` is the metadata file pretty-printed as upstream
    prints it (``JSON.stringify(metadata, null, 2)``); empty strings when absent."""

    imageid: str = ""
    digest: str = ""
    metadata: str = ""
