"""The buildx version, read from ``docker buildx version``, and what each feature needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import EngineError

# Same rule as docker/actions-toolkit Buildx.parseVersion: the first word after a space that
# is a 7-hex commit (a development build) or a dotted number. Debian's package prints
# "github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3", upstream "... v0.21.1 3b4c5e2".
_VERSION = re.compile(r"\sv?([0-9a-f]{7}|[0-9.]+)")


@dataclass(frozen=True)
class BuildxVersion:
    major: int
    minor: int
    patch: int
    # A build from a commit ("github.com/docker/buildx 1d37c4f ...") counts as the newest.
    commit: str = ""

    @classmethod
    def parse(cls, text: str) -> BuildxVersion:
        """Read the output of ``docker buildx version``."""
        match = _VERSION.search(text)
        if match is None:
            raise EngineError(f"cannot read the buildx version from {text.strip()!r}")
        word = match.group(1)
        if re.fullmatch(r"[0-9a-f]{7}", word) and not re.fullmatch(r"[0-9]+", word):
            return cls(0, 0, 0, commit=word)
        parts = [p for p in word.split(".") if p]
        if not parts or len(parts) > 3:
            raise EngineError(f"cannot read the buildx version from {text.strip()!r}")
        numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
        return cls(numbers[0], numbers[1], numbers[2])

    @classmethod
    def of(cls, text: str) -> BuildxVersion:
        """``"0.12.1"`` -> BuildxVersion(0, 12, 1); for tables and minimum versions."""
        return cls.parse(" " + text)

    def at_least(self, minimum: BuildxVersion) -> bool:
        if self.commit:
            return True
        return (self.major, self.minor, self.patch) >= (minimum.major, minimum.minor, minimum.patch)

    def __str__(self) -> str:
        return self.commit or f"{self.major}.{self.minor}.{self.patch}"


# Minimum buildx versions, as docker/build-push-action v6 checks them (src/context.ts).
IIDFILE_WITH_PLATFORMS = BuildxVersion(0, 4, 2)
METADATA_FILE = BuildxVersion(0, 6, 0)
BUILD_CONTEXTS = BuildxVersion(0, 8, 0)
ATTESTATIONS = BuildxVersion(0, 10, 0)
ANNOTATIONS = BuildxVersion(0, 12, 0)
CALL = BuildxVersion(0, 15, 0)
# login-action's scoped credentials (docker/login-action README, "scope")
SCOPED_CREDENTIALS = BuildxVersion(0, 31, 0)
