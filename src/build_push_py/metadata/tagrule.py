"""The ``tags`` input: one rule per line, e.g. ``type=semver,pattern={{major}}.{{minor}}``.

Each rule gets upstream's defaults (``tag.ts``): the default priority of its type,
``enable=true``, ``prefix=sha-`` for ``sha``, ``prefix=pr-`` for ``ref,event=pr``,
``pattern=nightly`` for ``schedule``, ``group=0`` for ``match``. A line without ``type=``
is a ``raw`` rule and a bare field is its ``value``. Rules come out sorted by priority,
highest first; equal priorities keep their order. Without any line the rules are
``schedule``, ``ref,event=branch``, ``ref,event=tag``, ``ref,event=pr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from ..errors import InputError
from ..inputs.lists import split_fields
from .expr import Template, TemplateError, parse

if TYPE_CHECKING:
    import regex

INPUT = "tags"


class TagType(StrEnum):
    SCHEDULE = "schedule"
    SEMVER = "semver"
    PEP440 = "pep440"
    MATCH = "match"
    EDGE = "edge"
    REF = "ref"
    RAW = "raw"
    SHA = "sha"


class RefEvent(StrEnum):
    BRANCH = "branch"
    TAG = "tag"
    PR = "pr"


class ShaFormat(StrEnum):
    SHORT = "short"
    LONG = "long"


DEFAULT_PRIORITY = {
    TagType.SCHEDULE: 1000,
    TagType.SEMVER: 900,
    TagType.PEP440: 900,
    TagType.MATCH: 800,
    TagType.EDGE: 700,
    TagType.REF: 600,
    TagType.RAW: 200,
    TagType.SHA: 100,
}

DEFAULT_RULES = (
    "type=schedule",
    "type=ref,event=branch",
    "type=ref,event=tag",
    "type=ref,event=pr",
)

_COMMON = ("enable", "priority", "prefix", "suffix")
ATTRIBUTES = {
    TagType.SCHEDULE: ("pattern",),
    TagType.SEMVER: ("pattern", "value", "match"),
    TagType.PEP440: ("pattern", "value", "match"),
    TagType.MATCH: ("pattern", "group", "value"),
    TagType.EDGE: ("branch",),
    TagType.REF: ("event",),
    TagType.RAW: ("value",),
    TagType.SHA: ("format",),
}
_KNOWN = {"type", *_COMMON, *(a for attrs in ATTRIBUTES.values() for a in attrs)}
# JavaScript's flags, by the ``regex`` flag each sets ('': none; g and y are read apart).
_JS_FLAGS = {
    "i": "IGNORECASE",
    "m": "MULTILINE",
    "s": "DOTALL",
    "g": "",
    "y": "",
    "d": "",
    "u": "",
    "v": "",
}
_REGEX_LITERAL = re.compile(r"/(.+)/(.*)", re.DOTALL)
# Bounded: int() refuses more than 4300 digits, and no rule needs a priority or a group
# beyond 999999999.
_MAX_DIGITS = 9
_INTEGER = re.compile(rf"[+-]?[0-9]{{1,{_MAX_DIGITS}}}")
_GROUP = re.compile(rf"[0-9]{{1,{_MAX_DIGITS}}}")
_SHOWN = 100  # characters of a rule an error quotes
_EMPTY = Template("")


# A match longer than this is a pattern that backtracks without end on this text (the rule is
# the workflow's, the text a branch or tag anyone who can push may choose): an error, not a hang.
MATCH_TIMEOUT = 1.0


class MatchTimeout(ValueError):
    """The pattern did not finish on the text within ``MATCH_TIMEOUT`` seconds."""


@dataclass(frozen=True)
class JsRegex:
    """A JavaScript regular expression as ``String.prototype.match`` uses it. Compiled with
    the ``regex`` package (``re``'s syntax, VERSION0) for its match timeout."""

    source: str
    pattern: regex.Pattern[str]
    global_: bool = False  # ``g``: match() returns every whole match, not the groups
    sticky: bool = False  # ``y``: only a match at the start counts

    def groups(self, text: str) -> list[str | None] | None:
        """Raises ``MatchTimeout`` for a match that takes longer than ``MATCH_TIMEOUT``."""
        try:
            return self._groups(text)
        except TimeoutError:
            raise MatchTimeout(
                f"{self.source} did not finish within {MATCH_TIMEOUT:.0f} s on a text of "
                f"{len(text)} characters (nested quantifiers such as (a+)+ backtrack without end)"
            ) from None

    def _groups(self, text: str) -> list[str | None] | None:
        t = MATCH_TIMEOUT
        if self.global_:
            if self.sticky:
                found: list[str | None] = []
                pos = 0
                while (m := self.pattern.match(text, pos, timeout=t)) and m.end() > pos:
                    found.append(m.group(0))
                    pos = m.end()
                return found or None
            return [m.group(0) for m in self.pattern.finditer(text, timeout=t)] or None
        find = self.pattern.match if self.sticky else self.pattern.search
        m = find(text, timeout=t)
        return [m.group(0), *m.groups()] if m else None


def js_regex(source: str, flags: str = "") -> JsRegex:
    """Compile a JavaScript pattern; ``ValueError`` when JavaScript would refuse it."""
    if len(set(flags)) != len(flags) or any(f not in _JS_FLAGS for f in flags):
        raise ValueError(f"invalid regular expression flags {flags!r}")
    import regex  # noqa: PLC0415 - for rules with a pattern only (bench/dry_run.py)

    options = regex.ASCII | regex.VERSION0
    for flag in flags:
        if _JS_FLAGS[flag]:
            options |= getattr(regex, _JS_FLAGS[flag])
    # named groups are written (?<name>...) in JavaScript, (?P<name>...) in Python
    python_source = re.sub(r"\(\?<(?=[A-Za-z_$])", "(?P<", source)
    try:
        pattern = regex.compile(python_source, options)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise ValueError(f"invalid regular expression {source!r}: {exc}") from None
    return JsRegex(source, pattern, "g" in flags, "y" in flags)


@dataclass(frozen=True)
class TagRule:
    type: TagType
    source: str  # the input line
    attrs: tuple[tuple[str, str], ...]  # every attribute with defaults, as upstream logs them
    priority: int
    enable: Template
    prefix: Template | None  # None: the flavor's prefix applies
    suffix: Template | None
    pattern: Template = _EMPTY
    value: Template = _EMPTY
    regex: JsRegex | None = None  # match: pattern=; semver/pep440: match=
    group: int = 0
    branch: str = ""
    event: RefEvent = RefEvent.BRANCH  # type=ref only
    format: ShaFormat = ShaFormat.SHORT

    def __str__(self) -> str:
        return ",".join([f"type={self.type}", *(f"{k}={v}" for k, v in self.attrs)])


def rule_error(line: str, problem: str) -> InputError:
    """The error of one ``tags`` line, quoted (at most ``_SHOWN`` characters of it)."""
    shown = line if len(line) <= _SHOWN else line[:_SHOWN] + "..."
    return InputError(INPUT, f"{shown!r}: {problem}")


def _template(line: str, text: str) -> Template:
    try:
        return parse(text)
    except TemplateError as exc:
        raise rule_error(line, str(exc)) from None


def _split_attr(field: str) -> tuple[str, str] | None:
    # upstream splits at the first '=' that has something before it
    key, sep, value = field.partition("=")
    if not sep or not key:
        return None
    return key.strip().lower(), value.strip()


def parse_rule(line: str) -> TagRule:  # noqa: PLR0912, PLR0915 - one branch per type, as tag.ts
    kind: TagType | None = None
    attrs: dict[str, str] = {}
    for field in split_fields(INPUT, line):
        pair = _split_attr(field)
        if pair is None:
            attrs["value"] = field.strip()
            continue
        key, value = pair
        if key == "type":
            try:
                kind = TagType(value)
            except ValueError:
                raise rule_error(
                    line, f"unknown type {value!r}; use one of {', '.join(TagType)}"
                ) from None
        elif key not in _KNOWN:
            raise rule_error(line, f"unknown attribute {key!r}; {_usage(kind)}")
        else:
            attrs[key] = value
    kind = kind or TagType.RAW

    regex: JsRegex | None = None
    group = 0
    event = RefEvent.BRANCH
    sha_format = ShaFormat.SHORT
    if kind is TagType.SCHEDULE:
        attrs.setdefault("pattern", "nightly")
    elif kind in (TagType.SEMVER, TagType.PEP440):
        if "pattern" not in attrs:
            raise rule_error(
                line, f"type={kind} needs a pattern attribute, e.g. pattern={{{{version}}}}"
            )
        attrs.setdefault("value", "")
        attrs.setdefault("match", "")
        if attrs["match"]:
            regex = _compile(line, attrs["match"], "")
            if regex.pattern.groups < 1:
                raise rule_error(line, "match needs a capture group, e.g. match=v(\\d.\\d.\\d)$")
    elif kind is TagType.MATCH:
        if "pattern" not in attrs:
            raise rule_error(
                line, "type=match needs a pattern attribute, e.g. pattern=v(.*),group=1"
            )
        attrs.setdefault("group", "0")
        attrs.setdefault("value", "")
        if not _GROUP.fullmatch(attrs["group"]):
            raise rule_error(line, f"group must be a number of at most {_MAX_DIGITS} digits")
        group = int(attrs["group"])
        literal = _REGEX_LITERAL.fullmatch(attrs["pattern"])
        if literal:
            regex = _compile(line, literal.group(1), literal.group(2))
        else:
            regex = _compile(line, attrs["pattern"], "")
    elif kind is TagType.EDGE:
        attrs.setdefault("branch", "")
    elif kind is TagType.REF:
        if "event" not in attrs:
            raise rule_error(line, "type=ref needs event=branch, event=tag or event=pr")
        try:
            event = RefEvent(attrs["event"])
        except ValueError:
            raise rule_error(
                line, f"unknown event {attrs['event']!r}; use event=branch, event=tag or event=pr"
            ) from None
        if event is RefEvent.PR:
            attrs.setdefault("prefix", "pr-")
    elif kind is TagType.RAW:
        if "value" not in attrs:
            raise rule_error(line, "type=raw needs a value, e.g. type=raw,value=latest")
    elif kind is TagType.SHA:
        attrs.setdefault("prefix", "sha-")
        attrs.setdefault("format", ShaFormat.SHORT.value)
        try:
            sha_format = ShaFormat(attrs["format"])
        except ValueError:
            raise rule_error(line, "format must be short or long") from None

    attrs.setdefault("enable", "true")
    if "{{" not in attrs["enable"] and attrs["enable"] not in ("true", "false"):
        raise rule_error(line, f"enable must be true or false, not {attrs['enable']!r}")
    attrs.setdefault("priority", str(DEFAULT_PRIORITY[kind]))
    if not _INTEGER.fullmatch(attrs["priority"]):
        raise rule_error(line, f"priority must be a whole number of at most {_MAX_DIGITS} digits")

    def optional(key: str) -> Template | None:
        return _template(line, attrs[key]) if key in attrs else None

    return TagRule(
        type=kind,
        source=line,
        attrs=tuple(attrs.items()),
        priority=int(attrs["priority"]),
        enable=_template(line, attrs["enable"]),
        prefix=optional("prefix"),
        suffix=optional("suffix"),
        # a match pattern is a regular expression, not an expression to render
        pattern=_template(line, attrs.get("pattern", ""))
        if kind is not TagType.MATCH
        else Template(attrs["pattern"]),
        value=_template(line, attrs.get("value", "")),
        regex=regex,
        group=group,
        branch=attrs.get("branch", ""),
        event=event,
        format=sha_format,
    )


def _compile(line: str, source: str, flags: str) -> JsRegex:
    try:
        return js_regex(source, flags)
    except ValueError as exc:
        raise rule_error(line, str(exc)) from None


def _usage(kind: TagType | None) -> str:
    if kind is None:
        per_type = ", ".join(sorted(_KNOWN - {"type", *_COMMON}))
        return f"attributes are type, {', '.join(_COMMON)} and per type {per_type}"
    return f"type={kind} takes {', '.join((*ATTRIBUTES[kind], *_COMMON))}"


def parse_rules(items: list[str]) -> tuple[TagRule, ...]:
    rules = [parse_rule(line) for line in (items or DEFAULT_RULES)]
    return tuple(sorted(rules, key=lambda rule: -rule.priority))
