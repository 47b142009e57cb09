"""The fan-out inputs: ``push-by-digest``, ``merge``, ``digests`` and ``digests-dir``,
checked against each other and against the build inputs they cannot be combined with."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import InputError
from .build import BuildInputs
from .grammar import input_bool
from .lists import input_list

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
DIGEST_FORM = "sha256:<64 lower-case hex digits>"


@dataclass(frozen=True)
class DigestInputs:
    push_by_digest: bool = False
    merge: bool = False
    digests: tuple[str, ...] = ()  # ``sha256:...``, in input order, without repeats
    digests_dir: str = ""


def parse_digest(input_name: str, text: str) -> str:
    value = text.strip()
    if not _DIGEST.fullmatch(value):
        raise InputError(input_name, f"{value!r} is not a digest; use {DIGEST_FORM}")
    return value


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def parse_digest_inputs(raw: Mapping[str, str], build: BuildInputs) -> DigestInputs:
    """``push-by-digest``, ``merge``, ``digests``, ``digests-dir``, checked against each
    other and against the build inputs they cannot be combined with."""
    by_digest = input_bool("push-by-digest", raw.get("push-by-digest", ""))
    merge = input_bool("merge", raw.get("merge", ""))
    digests = _unique(
        parse_digest("digests", item)
        for item in input_list("digests", raw.get("digests", ""), ignore_comma=False)
    )
    digests_dir = raw.get("digests-dir", "").strip()
    if "\n" in digests_dir:
        raise InputError("digests-dir", f"{digests_dir!r} must be a single path")
    if by_digest and merge:
        raise InputError(
            "merge", "a step either pushes by digest (push-by-digest) or merges (merge), not both"
        )
    if by_digest and build.outputs:
        raise InputError("push-by-digest", "sets the image output itself; leave outputs empty")
    if by_digest and build.load:
        raise InputError("push-by-digest", "an image pushed by digest cannot also be loaded")
    if digests and not merge:
        raise InputError("digests", "is read only by a merge step (merge: true)")
    if merge and not digests and not digests_dir:
        raise InputError(
            "merge", "needs the digests to merge: set digests-dir (from the build jobs) or digests"
        )
    return DigestInputs(by_digest, merge, digests, digests_dir)
