"""Fan-out / fan-in: push each platform by digest in its own job, then merge the digests
into one multi-platform image per tag.

Pure: the digest file names, the ``digests`` input, the ``imagetools`` argv. Reading and
writing the files and running buildx live in ``scale_run``.

The digest files follow Docker's "distribute build across multiple runners" recipe: an
empty file named by the digest's hex part (``sha256:`` is dropped because ``:`` is not
allowed in artifact file names), so digests uploaded by that recipe merge here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..csvlist import input_list
from ..errors import InputError
from ..inputs import parse_bool
from .inputs import BuildInputs

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]{64}")
DIGEST_FORM = "sha256:<64 lower-case hex digits>"
# Everything that ``type=image`` needs to push a platform image without any tag.
BY_DIGEST_OUTPUT = "type=image,push-by-digest=true,name-canonical=true"
# ``imagetools create`` can annotate only these two levels (buildx docs, imagetools create).
MERGE_LEVELS = ("index", "manifest-descriptor")


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
    by_digest = parse_bool("push-by-digest", raw.get("push-by-digest", ""))
    merge = parse_bool("merge", raw.get("merge", ""))
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


def tags_by_image(images: Sequence[str], tags: Sequence[str]) -> dict[str, list[str]]:
    """Each image's tags (``image:tag`` -> under ``image``); images without tags stay empty."""
    grouped: dict[str, list[str]] = {image: [] for image in images}
    for tag in tags:
        name, _, tag_name = tag.rpartition(":")
        if name in grouped and tag_name and "/" not in tag_name:
            grouped[name].append(tag)
    return grouped


def _annotation_parts(item: str) -> tuple[tuple[str, ...], str, str]:
    """``manifest,index:key=value`` -> (("manifest", "index"), "key", "value")."""
    key, _, value = item.partition("=")
    levels, colon, bare = key.partition(":")
    if not colon:
        return (), key.strip(), value
    # buildx allows a platform after a level (``manifest[linux/amd64]:``).
    names = tuple(level.partition("[")[0].strip() for level in levels.split(","))
    return names, bare.strip(), value


def index_annotations(computed: Iterable[str], user: Iterable[str]) -> list[str]:
    """The annotations for ``imagetools create``: every computed or user annotation at the
    index, except those aimed at the manifest descriptors, which stay there. Later entries
    with the same level and key win (the user's over the computed ones)."""
    merged: dict[tuple[str, str], str] = {}
    for item in [*computed, *user]:
        levels, key, value = _annotation_parts(item)
        level = "manifest-descriptor" if "manifest-descriptor" in levels else "index"
        merged[(level, key)] = value
    return [f"{level}:{key}={value}" for (level, key), value in merged.items()]


def push_by_digest_output(push: bool) -> str:
    return f"{BY_DIGEST_OUTPUT},push={'true' if push else 'false'}"


def source_refs(image: str, digests: Sequence[str]) -> list[str]:
    return [f"{image}@{digest}" for digest in digests]


def inspect_argv(ref: str) -> list[str]:
    return ["docker", "buildx", "imagetools", "inspect", "--format", "{{json .Manifest}}", ref]


def create_argv(
    image: str, tags: Sequence[str], digests: Sequence[str], annotations: Sequence[str]
) -> list[str]:
    """``docker buildx imagetools create`` for one image: every tag, one index."""
    argv = ["docker", "buildx", "imagetools", "create"]
    for annotation in annotations:
        argv += ["--annotation", annotation]
    for tag in tags:
        argv += ["--tag", tag]
    return argv + source_refs(image, digests)
