"""Markdown for the job summary. Text from outside (event fields, buildx's log, input lines)
goes in only through ``cell`` or ``code_block``, so it is shown and never rendered."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence


def cell(text: str) -> str:
    """Text as inline code in a table cell: no Markdown, HTML or line break survives."""
    flat = " ".join(text.split())
    return "<code>" + html.escape(flat, quote=True).replace("|", "&#124;") + "</code>"


def code_block(text: str, language: str = "") -> str:
    """A fenced block longer than any run of backticks in ``text``: it cannot be closed early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A section with a two-column table; the cells must already be safe (``cell``)."""
    lines = [f"### {title}", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows]
    return "\n".join(lines) + "\n"
