"""The ``flavor`` input: ``latest=auto|true|false``, ``prefix=``/``suffix=`` with ``onlatest=``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..errors import InputError
from ..inputs.lists import split_fields
from .expr import Template, TemplateError, parse

INPUT = "flavor"


class Latest(StrEnum):
    AUTO = "auto"
    TRUE = "true"
    FALSE = "false"


NO_AFFIX = Template("")


@dataclass(frozen=True)
class Flavor:
    latest: Latest = Latest.AUTO
    prefix: Template = NO_AFFIX
    prefix_latest: bool = False
    suffix: Template = NO_AFFIX
    suffix_latest: bool = False


def _template(line: str, text: str) -> Template:
    try:
        return parse(text)
    except TemplateError as exc:
        raise InputError(INPUT, f"{line!r}: {exc}") from None


def parse_flavor(items: list[str]) -> Flavor:  # noqa: PLR0912 - one branch per key, as upstream
    latest = Latest.AUTO
    prefix = suffix = NO_AFFIX
    prefix_latest = suffix_latest = False
    for line in items:
        onlatest_for = ""
        for raw_field in split_fields(INPUT, line):
            # upstream splits at every '=' and keeps the second piece
            parts = [part.strip() for part in raw_field.split("=")]
            if len(parts) == 1:
                raise InputError(INPUT, f"{line!r}: {raw_field!r} is not of the form key=value")
            key, value = parts[0].lower(), parts[1]
            if key == "latest":
                if value not in ("auto", "true", "false"):
                    raise InputError(INPUT, f"{line!r}: latest must be auto, true or false")
                latest = Latest(value)
            elif key in ("prefix", "suffix"):
                onlatest_for = key
                if key == "prefix":
                    prefix = _template(line, value)
                else:
                    suffix = _template(line, value)
            elif key == "onlatest":
                if value not in ("true", "false"):
                    raise InputError(INPUT, f"{line!r}: onlatest must be true or false")
                if onlatest_for == "prefix":
                    prefix_latest = value == "true"
                elif onlatest_for == "suffix":
                    suffix_latest = value == "true"
            else:
                raise InputError(
                    INPUT,
                    f"{line!r}: unknown key {key!r}; use latest=, prefix=, suffix=, onlatest=",
                )
    return Flavor(latest, prefix, prefix_latest, suffix, suffix_latest)
