"""``docker buildx imagetools``: the merge of pushed digests into one multi-platform index
per image, and the output that pushes a platform image by digest. Pure: argv and the
annotations to put on the index; running them is ``steps.merge``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..command import buildx

# Everything that ``type=image`` needs to push a platform image without any tag.
BY_DIGEST_OUTPUT = ("type=image", "push-by-digest=true", "name-canonical=true")


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


def source_refs(image: str, digests: Sequence[str]) -> list[str]:
    return [f"{image}@{digest}" for digest in digests]


def inspect_argv(ref: str) -> list[str]:
    argv = buildx("imagetools", "inspect")
    argv.add_opt("--format", "{{json .Manifest}}")
    return [*argv, ref]


def inspect_raw_argv(ref: str) -> list[str]:
    """The manifest as stored (a platform manifest's annotations are only there)."""
    return [*buildx("imagetools", "inspect", "--raw"), ref]


def create_argv(
    image: str, tags: Sequence[str], digests: Sequence[str], annotations: Sequence[str],
    *, sources: Sequence[str] = (),
) -> list[str]:  # fmt: skip
    """``docker buildx imagetools create`` for one image: every tag, one index, from the
    image's ``digests`` and the other references in ``sources``."""
    argv = buildx("imagetools", "create")
    argv.add_many("--annotation", annotations)
    argv.add_many("--tag", tags)
    return [*argv, *source_refs(image, digests), *sources]
