"""The version grammars of ``type=semver`` and ``type=pep440``, as upstream's libraries read them.

Semver: npm ``semver`` 7 in strict mode (``semver.valid``): an optional ``v``, no leading
zeros, no coercion of ``v1.2`` (https://github.com/npm/node-semver, ``re.js``).
PEP 440: ``@renovate/pep440``, whose normalisation matches ``packaging`` except that a
local version ``+abc.1`` prints as ``+abc,1`` and numbers go through JavaScript ``Number``
(https://github.com/renovatebot/pep440, ``lib/version.js``). Both are small, so they are
written out here instead of pulling in libraries that differ at those edges.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .jsnum import js_int_str, js_number, js_str

_NUM = r"0|[1-9][0-9]*"
_PRE_ID = rf"(?:{_NUM}|[0-9]*[a-zA-Z-][a-zA-Z0-9-]*)"
_BUILD_ID = r"[a-zA-Z0-9-]+"
_SEMVER = re.compile(
    rf"v?({_NUM})\.({_NUM})\.({_NUM})"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+({_BUILD_ID}(?:\.{_BUILD_ID})*))?"
)
_SEMVER_MAX_LENGTH = 256
_MAX_SAFE_INTEGER = 2**53 - 1


@dataclass(frozen=True)
class SemVer:
    raw: str
    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...]
    build: tuple[str, ...]

    @property
    def version(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{'.'.join(map(str, self.prerelease))}" if self.prerelease else core

    def context(self) -> dict[str, Any]:
        """What a ``pattern`` can name: the own properties of npm's ``SemVer`` object."""
        return {
            "raw": self.raw,
            "version": self.version,
            "major": self.major,
            "minor": self.minor,
            "patch": self.patch,
            "prerelease": list(self.prerelease),
            "build": list(self.build),
            "loose": True,
            "includePrerelease": False,
        }


def parse_semver(text: str) -> SemVer | None:
    """``semver.valid`` + ``semver.parse(v, {loose: true})``: None when not strict semver."""
    if len(text) > _SEMVER_MAX_LENGTH:
        return None
    match = _SEMVER.fullmatch(text.strip())
    if not match:
        return None
    major, minor, patch = (int(match.group(n)) for n in (1, 2, 3))
    if max(major, minor, patch) > _MAX_SAFE_INTEGER:
        return None
    prerelease: list[int | str] = []
    for ident in (match.group(4) or "").split(".") if match.group(4) else []:
        number = int(ident) if ident.isdigit() else None
        prerelease.append(number if number is not None and number <= _MAX_SAFE_INTEGER else ident)
    build = tuple(match.group(5).split(".")) if match.group(5) else ()
    return SemVer(text, major, minor, patch, tuple(prerelease), build)


_PEP440_BODY = (
    r"v?"
    r"(?:(?:(?P<epoch>[0-9]+)!)?"
    r"(?P<release>[0-9]+(?:\.[0-9]+)*)"
    r"(?P<pre>[-_\.]?(?P<pre_l>(a|b|c|rc|alpha|beta|pre|preview))[-_\.]?(?P<pre_n>[0-9]+)?)?"
    r"(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?"
    r"(?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?"
    r")"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?"
)
_PEP440_VALID = re.compile(rf"{_PEP440_BODY}\Z", re.IGNORECASE)
_PEP440_CLEAN = re.compile(rf"[\s]*{_PEP440_BODY}[\s]*\Z", re.IGNORECASE)
_LETTERS = {
    "alpha": "a",
    "beta": "b",
    "c": "rc",
    "pre": "rc",
    "preview": "rc",
    "rev": "post",
    "r": "post",
}


@dataclass(frozen=True)
class Pep440:
    raw: str
    epoch: str
    release: tuple[str, ...]
    pre: tuple[str, str] | None
    post: tuple[str, str] | None
    dev: tuple[str, str] | None
    local: tuple[str, ...] | None

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    @property
    def is_postrelease(self) -> bool:
        return self.post is not None

    @property
    def is_devrelease(self) -> bool:
        return self.dev is not None

    @property
    def major(self) -> str:
        return self.release[0]

    @property
    def minor(self) -> str:
        return self.release[1] if len(self.release) > 1 else "0"

    @property
    def patch(self) -> str:
        return self.release[2] if len(self.release) > 2 else "0"

    def clean(self) -> str:
        parts = [] if self.epoch == "0" else [f"{self.epoch}!"]
        parts.append(".".join(self.release))
        if self.pre:
            parts.append("".join(self.pre))
        if self.post:
            parts.append("." + "".join(self.post))
        if self.dev:
            parts.append("." + "".join(self.dev))
        if self.local is not None:
            # upstream prints the parsed local parts as a JavaScript array: joined by ','
            parts.append("+" + ",".join(self.local))
        return "".join(parts)


def _letter(letter: str | None, number: str | None) -> tuple[str, str] | None:
    if letter:
        letter = letter.lower()
        return (_LETTERS.get(letter, letter), js_int_str(number) if number else "0")
    if number:  # ``1.0-1`` is an implicit post release
        return ("post", js_int_str(number))
    return None


def _local_part(part: str) -> str:
    value = js_number(part)
    return part.lower() if math.isnan(value) else js_str(value)


def parse_pep440(text: str, *, clean: bool = False) -> Pep440 | None:
    """``pep440.valid`` (``clean=False``: no surrounding blanks) and its parse."""
    match = (_PEP440_CLEAN if clean else _PEP440_VALID).match(text)
    if not match:
        return None
    group = match.group
    return Pep440(
        raw=text,
        epoch=js_int_str(group("epoch")) if group("epoch") else "0",
        release=tuple(js_int_str(part) for part in group("release").split(".")),
        pre=_letter(group("pre_l"), group("pre_n")),
        post=_letter(group("post_l"), group("post_n1") or group("post_n2")),
        dev=_letter(group("dev_l"), group("dev_n")),
        local=tuple(_local_part(p) for p in re.split(r"[._-]", group("local")))
        if group("local")
        else None,
    )
