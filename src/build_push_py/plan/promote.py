"""Release by promotion (``promote``): the record of what determines a build's content, put
on the pushed image as an annotation, read back from an earlier image and compared; and
what a promotion finds in the earlier image. Pure: ``steps.promote`` asks the registry.

The record holds the inputs themselves (secret ids, never values), so a run that does not
promote can name the input that differs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..inputs.build import BuildInputs

# The annotation key (``manifest`` level on a build, ``index`` level on a promoted index).
FINGERPRINT_KEY = "io.github.build-push-py.build-inputs"
FORMAT = 1  # the record's own version: a record of another format never matches
_ATTESTATION = "attestation-manifest"


@dataclass(frozen=True)
class SourceFacts:
    """What the inputs do not say about the build's source: the commit, whether the local
    context is exactly that commit (no changed or untracked file), the Dockerfile frontend
    (``BUILDKIT_SYNTAX`` or the ``# syntax=`` line)."""

    commit: str
    clean: bool
    frontend: str = ""


def fingerprint(build: BuildInputs, facts: SourceFacts) -> dict[str, Any]:
    """The build inputs that decide the image's content, keyed by input name. Not in it:
    tags, labels, annotations, caches, the builder, outputs (a promotion never changes
    what is in the image, only its names and index annotations)."""
    return {
        "format": FORMAT,
        "commit": facts.commit,
        "context": build.context,  # as written: ``{{defaultContext}}`` names the ref
        "clean": facts.clean,
        "file": build.file,
        "target": build.target,
        "platforms": list(build.platforms),
        "build-args": list(build.build_args),
        "build-contexts": list(build.build_contexts),
        "secrets": [secret.id for secret in build.secrets],
        "secret-envs": [secret_id for secret_id, _ in build.secret_envs],
        "secret-files": [secret_id for secret_id, _ in build.secret_files],
        "ssh": [item.partition("=")[0] for item in build.ssh],
        "no-cache": build.no_cache,
        "no-cache-filters": list(build.no_cache_filters),
        "pull": build.pull,
        "frontend": facts.frontend,
        "network": build.network,
        "add-hosts": list(build.add_hosts),
        "allow": list(build.allow),
        "shm-size": build.shm_size,
        "ulimit": list(build.ulimit),
        "provenance": build.provenance.text if build.provenance else "",
        "sbom": build.sbom.text if build.sbom else "",
        "attests": [attest.text for attest in build.attests],
    }


def encode(record: object) -> str:
    return json.dumps(record, separators=(",", ":"))


def decode(text: str) -> dict[str, Any] | None:
    """A recorded fingerprint, or None when it is not one of this format."""
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or encode(record.get("format")) != encode(FORMAT):
        return None
    return record


def difference(ours: Mapping[str, Any], recorded: str) -> str:
    """'' when ``recorded`` is exactly ``ours``, else why not, naming the inputs that
    differ. Each value is compared in its JSON form: ``true`` is not ``1``."""
    theirs = decode(recorded)
    if theirs is None:
        return "its recorded build inputs do not parse"
    names = [name for name in ours if encode(theirs.get(name)) != encode(ours[name])]
    names += [name for name in theirs if name not in ours]
    if not names:
        return ""
    return f"it was built with a different {', '.join(names)}"


def unpromotable(build: BuildInputs, facts: SourceFacts, *, push: bool, by_digest: bool) -> str:
    """Why this run cannot be a promotion whatever the registry holds ('' when it can)."""
    if not push:
        return "nothing is pushed"
    if build.load or (build.outputs and not by_digest):
        return "the image goes to load or outputs, which a promotion does not write"
    if build.call not in ("", "build"):
        return f"call is {build.call}"
    if not facts.commit:
        return "the run has no commit"
    if not facts.clean:
        return "the build context is not exactly the commit (changes, another checkout, a URL)"
    return ""


_SYNTAX = re.compile(r"#\s*syntax\s*=\s*(\S+)\s*", re.IGNORECASE)
_DIRECTIVE = re.compile(r"#\s*[A-Za-z]+\s*=")


def frontend(build_args: Sequence[str], dockerfile: str) -> str:
    """The frontend BuildKit runs: ``BUILDKIT_SYNTAX`` when given, else the Dockerfile's
    ``# syntax=`` parser directive (directives come before anything else), else ''."""
    for item in build_args:
        name, _, value = item.partition("=")
        if name.strip() == "BUILDKIT_SYNTAX":
            return value
    for line in dockerfile.splitlines():
        found = _SYNTAX.fullmatch(line.strip())
        if found:
            return found.group(1)
        if not _DIRECTIVE.match(line.strip()):
            break
    return ""


@dataclass(frozen=True)
class EarlierImage:
    """What ``imagetools inspect`` says of the image behind the look-up tag."""

    ref: str  # image@digest
    recorded: str  # the fingerprint on the index, '' when none
    manifests: tuple[str, ...]  # the platform manifests' digests (no attestations)


def earlier_image(image: str, manifest: Mapping[str, Any]) -> EarlierImage | None:
    """From ``{{json .Manifest}}`` of ``imagetools inspect``; None when it is not one."""
    digest = manifest.get("digest")
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        return None
    entries = manifest.get("manifests")
    if not isinstance(entries, list):
        return EarlierImage(f"{image}@{digest}", "", (digest,))
    platform_manifests = tuple(
        str(entry["digest"])
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("digest"), str)
        and (entry.get("annotations") or {}).get("vnd.docker.reference.type") != _ATTESTATION
    )
    annotations = manifest.get("annotations")
    recorded = annotations.get(FINGERPRINT_KEY, "") if isinstance(annotations, dict) else ""
    return EarlierImage(f"{image}@{digest}", str(recorded), platform_manifests)


def recorded_on(manifest: Mapping[str, Any]) -> str:
    """The fingerprint on a platform manifest (``imagetools inspect --raw``), '' when none."""
    annotations = manifest.get("annotations")
    return str(annotations.get(FINGERPRINT_KEY, "")) if isinstance(annotations, dict) else ""


def record_annotation(record: str) -> str:
    """The annotation a build gets: on every platform manifest, which every output has
    (an index exists only with several platforms or attestations)."""
    return f"manifest:{FINGERPRINT_KEY}={record}"


def lookup_tags(images: Sequence[str], tag: str, computed: Sequence[str]) -> list[str]:
    """``image:tag`` for each image whose computed tags lack the look-up tag."""
    return [f"{image}:{tag}" for image in images if tag and f"{image}:{tag}" not in computed]


def promoted_annotations(index_annotations: Sequence[str], record: str) -> list[str]:
    """The promoted index's annotations: the release's, and the record it was found by, so
    the new index says what it was built from as the earlier one did."""
    return [*index_annotations, *([f"index:{FINGERPRINT_KEY}={record}"] if record else [])]
