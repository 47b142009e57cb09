"""List inputs, read the way docker/actions-toolkit's ``Util.getInputList`` reads them.

1. The whole input is one CSV document (csv-parse with relaxed quotes): a record per line,
   unless a quoted field spans lines (multi-line secrets). With ``ignore_comma`` a record's
   fields are joined back with ``,``; otherwise each field is an item. metadata-action (v6)
   also asks for ``comment: '#'`` with ``comment_no_infix``: a ``#`` starts a comment up to
   the end of the line only as the very first character of a record (outside quotes, before
   any blank or field); anywhere else it is part of the value (``value=foo#bar``).
2. Each item of ``tags``/``flavor``/``images`` is then split into fields again, strictly.

So the quotes of the first reading are gone before the second one: a comma inside a tag
attribute needs doubled quotes inside quotes (three quote characters on each side).
https://github.com/docker/actions-toolkit/blob/main/src/util.ts (getList)
"""

from __future__ import annotations

import re

from ..errors import InputError
from .table import UNQUOTED_INPUTS

_QUOTE = '"'


# What JavaScript's String.prototype.trim() removes (@actions/core getInput, getList): not
# quite str.strip(), which also removes U+001C..U+001F and U+0085 but keeps U+FEFF.
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def js_trim(text: str) -> str:
    return text.strip(JS_WHITESPACE)


class CsvError(ValueError):
    """What is wrong (``problem``, none of the text) and on which line of the input."""

    def __init__(self, problem: str, line: int, found: str | None = None) -> None:
        super().__init__(problem if found is None else f"{problem}, got {found!r}")
        self.problem = problem
        self.line = line


def _problem(name: str, text: str, exc: CsvError) -> str:
    if name in UNQUOTED_INPUTS:
        return f"line {exc.line} cannot be read as CSV: {exc.problem} (the text is not shown)"
    return f"cannot read {text!r} as CSV: {exc}"


def _line_ending_at(text: str, index: int) -> str | None:
    """The line ending that starts at ``index``, if any (``\\r\\n`` before ``\\r``)."""
    return next((end for end in ("\r\n", "\n", "\r") if text.startswith(end, index)), None)


class _Reader:
    """A small csv-parse: ``,`` between fields, ``"`` quotes with ``""`` as escape."""

    def __init__(
        self, text: str, *, relaxed: bool, comments: bool, quote: bool = True, trim: bool = False
    ) -> None:
        self.text = text
        self.relaxed = relaxed
        self.trim = trim  # blanks around a quoted field are not part of it
        self.comments = comments
        self.quote = _QUOTE if quote else None  # quote=False: '"' is an ordinary character

    def records(self) -> list[list[str]]:  # noqa: PLR0912, PLR0915
        # one character-driven state machine, kept in one piece like csv-parse's own
        text = self.text
        # csv-parse takes the first line ending it meets outside quotes (or right after a
        # closing quote) as the record delimiter, and from then on only that one.
        newline: str | None = None
        records: list[list[str]] = []
        record: list[str] = []
        field: list[str] = []
        quoting = was_quoting = commenting = False
        i, n = 0, len(text)
        opened = 0  # where the quote being read opened

        def line_at(index: int) -> int:
            return text.count("\n", 0, index) + 1

        def end_record() -> None:
            nonlocal record, field, was_quoting, commenting
            blank = not was_quoting and not record and not field
            if not blank:
                record.append("".join(field))
                records.append(record)
            record, field = [], []
            was_quoting = commenting = False

        while i < n:
            char = text[i]
            if newline is None and not quoting:
                newline = _line_ending_at(text, i)
            if quoting:
                if char == self.quote:
                    following = text[i + 1] if i + 1 < n else ""
                    if following == _QUOTE:
                        field.append(_QUOTE)
                        i += 2
                        continue
                    quoting, was_quoting = False, True
                    after = i + 1
                    while self.trim and after < n and text[after] in " \t":
                        after += 1
                    if newline is None:
                        newline = _line_ending_at(text, after)
                    following = text[after] if after < n else ""
                    closes = (
                        following in ("", ",")
                        or (newline is not None and text.startswith(newline, after))
                        or (self.comments and following == "#")
                    )
                    if not closes:
                        if not self.relaxed:
                            raise CsvError(
                                "a closing quote must be followed by a comma", line_at(i), following
                            )
                        # csv-parse's relax_quotes: both quotes stay in the value ("q"a)
                        field.insert(0, _QUOTE)
                        field.append(_QUOTE)
                    i = after if closes else i + 1
                    continue
                field.append(char)
                i += 1
                continue
            if newline is not None and text.startswith(newline, i):
                end_record()
                i += len(newline)
                continue
            if commenting:
                i += 1
                continue
            if char == self.quote:
                if self.trim and not "".join(field).strip():
                    field = []
                if field:
                    if not self.relaxed:
                        raise CsvError("a quote may only open a field", line_at(i))
                    field.append(char)
                else:
                    quoting, opened = True, i
                i += 1
                continue
            if self.comments and char == "#" and not record and not field:
                commenting = True  # comment_no_infix: only where a record starts
            elif char == ",":
                record.append("".join(field))
                field = []
                was_quoting = False
            else:
                field.append(char)
            i += 1
        if quoting:
            raise CsvError("a quote is not closed", line_at(opened))
        end_record()
        return records


def input_list(
    name: str,
    value: str,
    *,
    ignore_comma: bool,
    comments: bool = False,
    quote: bool = True,
    trim: bool = True,
) -> list[str]:
    """The items of a list input, trimmed, blank ones dropped. An error quotes the text
    unless ``name`` is one of ``UNQUOTED_INPUTS``.

    ``trim=False`` (``getInputList(..., {trimWhitespace: false})``, build-push-action's
    ``secrets`` since v7.3): neither the whole input nor an item is trimmed, so a value keeps
    its trailing blanks and newlines; only empty items are dropped."""
    text = js_trim(value) if trim else value
    if not text:
        return []
    try:
        records = _Reader(text, relaxed=True, comments=comments, quote=quote).records()
    except CsvError as exc:
        raise InputError(name, _problem(name, text, exc)) from None
    items: list[str] = []
    for record in records:
        if len(record) == 1:
            items.extend([record[0]] if ignore_comma else record[0].split(","))
        elif ignore_comma:
            items.append(",".join(record))
        else:
            items.extend(record)
    if not trim:
        return [item for item in items if item]
    # Upstream would crash later on an item of only blanks; it says nothing, so drop it.
    return [js_trim(item) for item in items if js_trim(item)]


def read_list(name: str, value: str) -> list[str]:
    """A list input of metadata-action v6 (``images``, ``tags``, ``flavor``, ``labels``,
    ``annotations``): one item per record, lines that start with ``#`` dropped."""
    return input_list(name, value, ignore_comma=True, comments=True)


# One level of buildx's ``--annotation [type[platform],...:]key=value`` (buildflags
# ParseAnnotations: the types are what comes before the first ':' of the key).
_ANNOTATION_LEVEL = re.compile(
    r"(?:index|manifest|index-descriptor|manifest-descriptor)(?:\[[A-Za-z0-9_/-]+\])?"
)


def has_annotation_level(item: str) -> bool:
    """Does an ``annotations`` item name its level(s) as buildx reads them (``index:k=v``,
    ``manifest-descriptor[linux/amd64]:k=v``, ``index,manifest:k=v``)? Such an item is
    build-push-action's and reaches buildx as written; any other is a custom annotation of
    metadata-action, put at each level of ``DOCKER_METADATA_ANNOTATIONS_LEVELS``."""
    types, colon, _ = item.partition("=")[0].partition(":")
    return bool(colon) and all(_ANNOTATION_LEVEL.fullmatch(t) for t in types.split(","))


def split_fields(name: str, line: str) -> list[str]:
    """The fields of one item (strict CSV), not trimmed: its first record, as upstream's
    ``parse(item)[0]``; a bad quote in a later record (after a '\\r' inside the item) is
    still an error there."""
    try:
        records = _Reader(line, relaxed=False, comments=False).records()
    except CsvError as exc:
        raise InputError(name, _problem(name, line, exc)) from None
    return records[0] if records else []


def records(text: str) -> list[list[str]]:
    """Attribute lists (``type=registry,ref=x``), one record per line, every field trimmed,
    blank lines skipped: csv-parse as actions-toolkit's ``Build`` helpers call it
    (``trim``, ``relax_column_count``). Raises ``CsvError`` on a quote out of place."""
    return [
        [field.strip() for field in record]
        for record in _Reader(text, relaxed=False, comments=False, trim=True).records()
        if any(field.strip() for field in record)
    ]


def input_records(name: str, text: str) -> list[list[str]]:
    """``records`` of the input ``name``'s text; a bad quote is an ``InputError``."""
    try:
        return records(text)
    except CsvError as exc:
        raise InputError(name, _problem(name, text, exc)) from None


def fields(name: str, text: str) -> list[str]:
    """The trimmed fields of one attribute list; a bad quote is an ``InputError``."""
    return [field for record in input_records(name, text) for field in record]
