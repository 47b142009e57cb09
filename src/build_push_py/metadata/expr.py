"""The ``{{...}}`` expressions of tag values, patterns, prefixes and labels.

Upstream renders them with Handlebars; this is the part of Handlebars a metadata
expression can use: text, ``{{name}}``, ``{{name 'param' key='value'}}``, ``{{{name}}}`` /
``{{&name}}`` (not escaped), ``{{! comments }}``, ``~`` whitespace control and ``\\{{``
escapes. Output of ``{{...}}`` is HTML-escaped as Handlebars does (``&<>"'`=``), which
then usually turns into ``-`` when the value becomes a tag. Blocks, partials and
sub-expressions are refused with a ``TemplateError`` instead of rendering something else.
https://handlebarsjs.com/guide/expressions.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .jsnum import js_str


class TemplateError(ValueError):
    """The expression cannot be parsed or rendered; the message says why."""


@dataclass(frozen=True)
class Literal:
    value: Any  # str, float, bool or None


@dataclass(frozen=True)
class Path:
    parts: tuple[str, ...]  # () is ``this``
    up: bool = False  # ``../``: nothing above the root context, always undefined
    data: bool = False  # ``@name``: Handlebars data variables, none are defined here

    @property
    def name(self) -> str:
        return ".".join(self.parts)


Param = Literal | Path


@dataclass(frozen=True)
class Mustache:
    head: Param
    params: tuple[Param, ...] = ()
    hash: tuple[tuple[str, Param], ...] = ()
    escaped: bool = True


Node = str | Mustache


@dataclass(frozen=True)
class Template:
    source: str
    nodes: tuple[Node, ...] = field(default=(), compare=False)

    def render(self, context: Mapping[str, Any]) -> str:
        return "".join(
            node if isinstance(node, str) else _render_mustache(node, context)
            for node in self.nodes
        )

    def is_raw_statement(self) -> bool:
        """Is the whole template one ``{{raw}}``? (upstream ``Meta.isRawStatement``)"""
        if len(self.nodes) != 1 or isinstance(self.nodes[0], str):
            return False
        head = self.nodes[0].head
        return isinstance(head, Path) and head.parts == ("raw",) and not head.up

    def uses(self, name: str) -> bool:
        return any(
            isinstance(node, Mustache)
            and isinstance(node.head, Path)
            and node.head.parts[:1] == (name,)
            for node in self.nodes
        )


_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "`": "&#x60;",
    "=": "&#x3D;",
}
_ESCAPE_RE = re.compile("[&<>\"'`=]")
# Characters that end a Handlebars identifier.
_ID = re.compile(r"[^\s!\"#%&'()*+,./;<=>@\[\\\]^`{|}~]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?=[~}\s)])")
_KEYWORD = re.compile(r"(true|false|undefined|null)(?=[~}\s)])")


def to_text(value: Any) -> str:
    """A value as JavaScript's ``'' + value`` would print it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_str(float(value))
    if isinstance(value, list | tuple):
        return ",".join(to_text(item) for item in value)
    if callable(value):
        raise TemplateError("a helper cannot be used as a value")
    return str(value)


def escape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _lookup(path: Path, context: Mapping[str, Any]) -> Any:
    if path.up or path.data:
        return None
    if not path.parts:
        return "[object Object]"
    value = context.get(path.parts[0])
    for part in path.parts[1:]:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _value(param: Param, context: Mapping[str, Any]) -> Any:
    return param.value if isinstance(param, Literal) else _lookup(param, context)


def _render_mustache(node: Mustache, context: Mapping[str, Any]) -> str:
    head = node.head if isinstance(node.head, Path) else Path((to_text(node.head.value),))
    target = _lookup(head, context)
    if callable(target):
        params = [_value(p, context) for p in node.params]
        options = {key: _value(p, context) for key, p in node.hash}
        result = target(params, options)
    elif node.params or node.hash:
        if target is None:
            raise TemplateError(f'missing helper "{head.name}"')
        result = target
    else:
        result = target
    text = to_text(result)
    return escape(text) if node.escaped else text


class _Parser:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0

    def fail(self, problem: str) -> TemplateError:
        return TemplateError(f"{problem} at position {self.i + 1}")

    def skip_blanks(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def param(self) -> Param:
        s, i = self.s, self.i
        if i >= len(s):
            raise self.fail("unclosed '{{'")
        char = s[i]
        if char in "\"'":
            end = i + 1
            chunks: list[str] = []
            while True:
                if end >= len(s):
                    raise self.fail("unclosed string")
                if s[end] == "\\" and s.startswith(char, end + 1):
                    chunks.append(char)
                    end += 2
                    continue
                if s[end] == char:
                    break
                chunks.append(s[end])
                end += 1
            self.i = end + 1
            return Literal("".join(chunks))
        if char == "(":
            raise self.fail("sub-expressions '(...)' are not supported")
        number = _NUMBER.match(s, i)
        if number:
            self.i = number.end()
            return Literal(float(number.group(0)))
        keyword = _KEYWORD.match(s, i)
        if keyword:
            self.i = keyword.end()
            word = keyword.group(1)
            return Literal(True if word == "true" else False if word == "false" else None)
        return self.path()

    def path(self) -> Path:
        s = self.s
        data = s.startswith("@", self.i)
        self.i += data
        parts: list[str] = []
        up = seen = False
        while True:
            if s.startswith("..", self.i):
                up = True
                self.i += 2
            elif s.startswith(".", self.i) and not seen:
                self.i += 1  # ``.`` is ``this``
            elif s.startswith("[", self.i):
                end = s.find("]", self.i)
                if end < 0:
                    raise self.fail("unclosed '['")
                parts.append(s[self.i + 1 : end])
                self.i = end + 1
            else:
                ident = _ID.match(s, self.i)
                if not ident:
                    raise self.fail(f"unexpected {s[self.i : self.i + 1]!r}")
                if ident.group(0) != "this" or seen:
                    parts.append(ident.group(0))
                self.i = ident.end()
            seen = True
            if s.startswith("/", self.i) or (
                s.startswith(".", self.i) and not s.startswith("..", self.i)
            ):
                self.i += 1
                continue
            return Path(tuple(parts), up=up, data=data)

    def mustache(self, closing: str) -> tuple[Mustache, bool]:
        """Parse after the opening braces; return the node and whether ``~`` strips after."""
        self.skip_blanks()
        head = self.param()
        params: list[Param] = []
        hashes: list[tuple[str, Param]] = []
        while True:
            self.skip_blanks()
            if self.s.startswith("~" + closing, self.i):
                self.i += 1 + len(closing)
                return Mustache(head, tuple(params), tuple(hashes)), True
            if self.s.startswith(closing, self.i):
                self.i += len(closing)
                return Mustache(head, tuple(params), tuple(hashes)), False
            key = _ID.match(self.s, self.i)
            if key and self.s.startswith("=", key.end()):
                self.i = key.end() + 1
                self.skip_blanks()
                hashes.append((key.group(0), self.param()))
                continue
            if hashes:
                raise self.fail("a parameter cannot follow key=value pairs")
            if self.s.startswith("as |", self.i):
                raise self.fail("block parameters are not supported")
            params.append(self.param())


def parse(source: str) -> Template:  # noqa: PLR0912, PLR0915 - the lexer's states in one place
    """Parse an expression; raise ``TemplateError`` on what Handlebars would refuse."""
    nodes: list[Node] = []
    text: list[str] = []
    strip_next = False
    s, i = source, 0

    def flush_text(strip_end: bool) -> None:
        nonlocal strip_next
        chunk = "".join(text)
        text.clear()
        if strip_next:
            chunk = chunk.lstrip()
            strip_next = False
        if strip_end:
            chunk = chunk.rstrip()
        if chunk:
            nodes.append(chunk)

    while i < len(s):
        start = s.find("{{", i)
        if start < 0:
            text.append(s[i:])
            break
        if start > i and s[start - 1] == "\\":
            if start - 1 > i and s[start - 2] == "\\":
                text.append(s[i : start - 1])  # ``\\{{``: one backslash, then a real mustache
            else:
                text.append(s[i : start - 1])
                following = s.find("{{", start + 2)
                end = len(s) if following < 0 else following - (s[following - 1] == "\\")
                text.append(s[start:end])
                i = end
                continue
        else:
            text.append(s[i:start])
        i = start + 2
        strip_before = s.startswith("~", i)
        if strip_before:
            i += 1
        opener = s[i : i + 1]
        if s.startswith("{{", start + 2):
            raise TemplateError(f"raw blocks '{{{{{{{{' are not supported in {source!r}")
        if opener == "!":
            closing_re = re.compile(r"--~?}}" if s.startswith("!--", i) else r"~?}}")
            found = closing_re.search(s, i)
            if not found:
                raise TemplateError(f"unclosed comment in {source!r}")
            flush_text(strip_before)
            strip_next = found.group(0).startswith(("~", "--~"))
            i = found.end()
            continue
        if opener and opener in "#^/>*":
            raise TemplateError(
                f"blocks, partials and decorators ('{{{{{opener}') are not supported in {source!r}"
            )
        escaped, closing = True, "}}"
        if opener == "{":
            escaped, closing, i = False, "}}}", i + 1
        elif opener == "&":
            escaped, i = False, i + 1
        parser = _Parser(s)
        parser.i = i
        try:
            node, strip_after = parser.mustache(closing)
        except TemplateError as exc:
            raise TemplateError(f"{exc} in {source!r}") from None
        if isinstance(node.head, Path) and node.head.parts == ("else",):
            raise TemplateError(f"'{{{{else}}}}' outside a block in {source!r}")
        flush_text(strip_before)
        nodes.append(Mustache(node.head, node.params, node.hash, escaped))
        strip_next = strip_after
        i = parser.i
    flush_text(False)
    return Template(source, tuple(nodes))
