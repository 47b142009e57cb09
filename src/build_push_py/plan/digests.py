"""The digest files that carry a build job's digest to the merge job (``push-by-digest``
writes them into ``digests-dir``, ``merge`` reads them).

The digest files follow Docker's "distribute build across multiple runners" recipe: an
empty file named by the digest's hex part (``sha256:`` is dropped because ``:`` is not
allowed in artifact file names), so digests uploaded by that recipe merge here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import InputError
from ..inputs.digests import parse_digest

_HEX = re.compile(r"[0-9a-f]{64}")


def digest_file_name(digest: str) -> str:
    return parse_digest("digest", digest).removeprefix("sha256:")


def digests_from_file_names(names: Iterable[str]) -> tuple[str, ...]:
    """The digests a ``digests-dir`` holds, sorted by name; any other file is an error."""
    digests: list[str] = []
    for name in sorted(names):
        if not _HEX.fullmatch(name):
            raise InputError(
                "digests-dir",
                f"file {name!r} is not a digest file (named by 64 hex digits, as push-by-digest "
                "writes them)",
            )
        digests.append(f"sha256:{name}")
    return tuple(digests)
