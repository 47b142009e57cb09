"""Dockerfile build checks as GitHub annotations. Pure.

With ``BUILDX_METADATA_WARNINGS=true`` buildx (>= 0.15) writes the check warnings into the
metadata file under ``buildx.build.warnings``, each with its text in base64 and the
Dockerfile it is about::

    {"short": "<b64 'FromAsCasing: ... (line 1)'>", "detail": ["<b64>"], "url": "https://...",
     "sourceInfo": {"filename": "Dockerfile.dev", "data": "<b64 of the Dockerfile>"},
     "range": [{"start": {"line": 1}, "end": {"line": 1}}]}

They become annotations as actions-toolkit's ``Buildx.convertWarningsToGitHubAnnotations``
makes them: the title is the detail, the message the short text without its ``(line N)``
plus a "More info" link, the file the Dockerfile relative to the workspace. A local
Dockerfile must lie inside the workspace and have the content the warning quotes (so a
warning about another file, an inline or a frontend-generated one, is not pinned on it); a
remote one (a git context of this repository) takes every warning. The text comes from the
Dockerfile: the runner's escaping of ``Workflow.warning`` keeps it from forming commands.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

WARNINGS_KEY = "buildx.build.warnings"
_LINE_SUFFIX = re.compile(r" \(line \d+\)$")
# A build context BuildKit fetches itself: a URL, or git's scp-like form.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"git@([^:/]+):(.+)")


@dataclass(frozen=True)
class Dockerfile:
    """The Dockerfile annotations point at. ``path`` is what the annotation names (relative
    to the workspace); ``local_path`` is where to read it, None for a remote Dockerfile."""

    path: str
    local_path: str | None = None


@dataclass(frozen=True)
class Annotation:
    message: str
    title: str
    file: str
    line: int | None


def check_warnings(metadata: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The warnings of the metadata file (empty when buildx wrote none)."""
    found = metadata.get(WARNINGS_KEY)
    if not isinstance(found, list):
        return []
    return [w for w in found if isinstance(w, dict)]


def remote_repository(context: str) -> tuple[str, str] | None:
    """(host, owner/repo) of a context BuildKit fetches itself (a URL, git's scp-like form),
    None when the context is local (a path, or ``-``: a tarball on stdin)."""
    scp = _SCP.fullmatch(context.split("#", 1)[0])
    if scp:
        host, path = scp.group(1), scp.group(2)
    elif _URL.match(context):
        parts = urlsplit(context)
        host, path = parts.hostname or "", parts.path
    else:
        return None
    path = path.strip("/")
    return host.lower(), path.removesuffix(".git")


def local_dockerfile(context: str, file: str, *, cwd: str) -> str:
    """Where buildx, run in ``cwd``, reads the Dockerfile of the local ``context`` with
    ``file``: a relative ``-f`` from its working directory, the default one from the
    context. Normalised, not resolved."""
    return posixpath.normpath(posixpath.join(cwd, file or posixpath.join(context, "Dockerfile")))


def dockerfile(
    context: str, file: str, *, cwd: str, workspace: str, repository: str
) -> Dockerfile | None:
    """The Dockerfile of a build of ``context`` with ``file`` (the inputs, ``{{defaultContext}}``
    resolved), run in ``cwd``. None when no annotation can point at it: stdin (``-``), a
    file outside the workspace, a remote context other than this repository on GitHub."""
    if file == "-":
        return None
    remote = remote_repository(context)
    if remote is not None:
        host, path = remote
        on_github = host == "github.com" or host.endswith(".ghe.com")
        if not on_github or path != repository:
            return None
        return Dockerfile(file or "Dockerfile")
    if context == "-":  # a tarball on stdin
        return None
    local = local_dockerfile(context, file, cwd=cwd)
    relative = posixpath.relpath(local, posixpath.normpath(workspace or cwd))
    if relative == ".." or relative.startswith("../"):
        return None
    return Dockerfile(relative, local)


def _decode(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def _start_line(warning: Mapping[str, Any]) -> int | None:
    ranges = warning.get("range")
    if not isinstance(ranges, list) or not ranges or not isinstance(ranges[0], dict):
        return None
    start = ranges[0].get("start")
    line = start.get("line") if isinstance(start, dict) else None
    return line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None


def _matches(target: Dockerfile, content: bytes | None, source: Mapping[str, Any]) -> bool:
    if target.local_path is None:
        return True
    filename, data = source.get("filename"), source.get("data")
    if not isinstance(filename, str) or not isinstance(data, str) or content is None:
        return False
    try:
        quoted = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return target.path.endswith(filename) and quoted == content


def to_annotations(
    warnings: Sequence[Mapping[str, Any]], target: Dockerfile, content: bytes | None
) -> list[Annotation]:
    """One annotation per warning about ``target`` (whose text is ``content``, None when it
    is remote or could not be read); warnings without a text or a source are left out."""
    found: list[Annotation] = []
    for warning in warnings:
        short = _decode(warning.get("short"))
        details = warning.get("detail")
        source = warning.get("sourceInfo")
        if not short or not isinstance(details, list) or not details:
            continue
        if not isinstance(source, dict) or not source.get("filename") or not source.get("data"):
            continue
        decoded = [_decode(d) for d in details]
        if not _matches(target, content, source) or any(d is None for d in decoded):
            continue
        message = _LINE_SUFFIX.sub("", short)
        url = warning.get("url")
        if isinstance(url, str) and url:
            message += f"\nMore info: {url}"
        title = " ".join(d for d in decoded if d is not None)
        found.append(Annotation(message, title, target.path, _start_line(warning)))
    return found
