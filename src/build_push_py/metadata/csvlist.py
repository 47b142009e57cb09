"""The two CSV readings upstream applies to the list inputs.

1. The whole input is read as one CSV document (``Util.getInputList`` with
   ``ignoreComma`` and ``comment: '#'``): one item per record, fields re-joined with ``,``,
   quotes relaxed, and a ``#`` outside quotes starts a comment up to the end of the line
   (anywhere on it, as csv-parse does without ``comment_no_infix``).
2. Each item of ``tags``/``flavor``/``images`` is then split into fields again, strictly.

So the quotes of the first reading are gone before the second one: a comma inside a tag
attribute needs doubled quotes inside quotes (three quote characters on each side).
https://github.com/docker/actions-toolkit/blob/main/src/util.ts (getList)
"""

from __future__ import annotations

from ..errors import InputError

_QUOTE = '"'


def _record_delimiter(text: str) -> str:
    # csv-parse picks the first line ending it meets and then only honours that one.
    for index, char in enumerate(text):
        if char == "\r":
            return "\r\n" if text.startswith("\n", index + 1) else "\r"
        if char == "\n":
            return "\n"
    return "\n"


class _Reader:
    """A small csv-parse: ``,`` between fields, ``"`` quotes with ``""`` as escape."""

    def __init__(self, text: str, *, relaxed: bool, comments: bool) -> None:
        self.text = text
        self.relaxed = relaxed
        self.comments = comments
        self.newline = _record_delimiter(text)

    def records(self, *, first_only: bool = False) -> list[list[str]]:  # noqa: PLR0912, PLR0915
        # one character-driven state machine, kept in one piece like csv-parse's own
        text, newline = self.text, self.newline
        records: list[list[str]] = []
        record: list[str] = []
        field: list[str] = []
        quoting = was_quoting = commenting = False
        i, n = 0, len(text)

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
            if quoting:
                if char == _QUOTE:
                    following = text[i + 1] if i + 1 < n else ""
                    if following == _QUOTE:
                        field.append(_QUOTE)
                        i += 2
                        continue
                    quoting, was_quoting = False, True
                    closes = (
                        following in ("", ",")
                        or text.startswith(newline, i + 1)
                        or (self.comments and following == "#")
                    )
                    if not closes:
                        if not self.relaxed:
                            raise ValueError(
                                f"a closing quote must be followed by a comma, got {following!r}"
                            )
                        field.insert(0, _QUOTE)
                    i += 1
                    continue
                field.append(char)
                i += 1
                continue
            if text.startswith(newline, i):
                end_record()
                i += len(newline)
                if first_only and records:
                    return records
                continue
            if commenting:
                i += 1
                continue
            if char == _QUOTE:
                if field:
                    if not self.relaxed:
                        raise ValueError("a quote may only open a field")
                    field.append(char)
                else:
                    quoting = True
                i += 1
                continue
            if self.comments and char == "#":
                commenting = True
            elif char == ",":
                record.append("".join(field))
                field = []
                was_quoting = False
            else:
                field.append(char)
            i += 1
        if quoting:
            raise ValueError("a quote is not closed")
        end_record()
        return records


def read_list(name: str, value: str) -> list[str]:
    """A list input as upstream reads it: one trimmed item per line, comments dropped."""
    text = value.strip()
    if not text:
        return []
    try:
        records = _Reader(text, relaxed=True, comments=True).records()
    except ValueError as exc:
        raise InputError(name, f"cannot read {text!r}: {exc}") from None
    items = [record[0] if len(record) == 1 else ",".join(record) for record in records]
    # Upstream would crash later on an item of only blanks; it says nothing, so drop it.
    return [item.strip() for item in items if item.strip()]


def split_fields(name: str, line: str) -> list[str]:
    """The fields of one item (strict CSV, first record only), not trimmed."""
    try:
        records = _Reader(line, relaxed=False, comments=False).records(first_only=True)
    except ValueError as exc:
        raise InputError(name, f"cannot read {line!r}: {exc}") from None
    return records[0] if records else []
