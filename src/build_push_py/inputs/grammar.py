"""Booleans, one reader per upstream grammar. Nothing else in the package reads a boolean."""

from __future__ import annotations

from enum import Enum

from ..errors import InputError

# @actions/core getBooleanInput: the YAML 1.2 core schema booleans, nothing else.
_CORE_TRUE = ("true", "True", "TRUE")
_CORE_FALSE = ("false", "False", "FALSE")
# Go's strconv.ParseBool (buildx attestation shorthands), which actions-toolkit's
# Util.parseBool repeats for environment variables.
_GO_TRUE = ("1", "t", "T", "true", "TRUE", "True")
_GO_FALSE = ("0", "f", "F", "false", "FALSE", "False")


def input_bool(name: str, value: str, *, default: bool = False) -> bool:
    """A boolean input, as @actions/core ``getBooleanInput`` reads it; blank is the default."""
    text = value.strip()
    if text == "":
        return default
    if text in _CORE_TRUE:
        return True
    if text in _CORE_FALSE:
        return False
    raise InputError(name, f"{value.strip()!r} is not a boolean; use true or false")


def go_bool(text: str) -> bool | None:
    """Go's ``strconv.ParseBool``: None when ``text`` is not one of its words."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


def env_bool(name: str, value: str | None, *, default: bool) -> bool:
    """A ``DOCKER_*`` switch, as actions-toolkit ``Util.parseBool`` reads it: unset or blank
    is the default, any other word than ParseBool's is an error naming the variable."""
    if value is None or value.strip() == "":
        return default
    parsed = go_bool(value.strip())
    if parsed is None:
        raise InputError(
            name,
            f"{value.strip()!r} is not a boolean; use one of {' '.join(_GO_TRUE + _GO_FALSE)}",
            hint=f"env:\n  {name}: 'true'",
        )
    return parsed


def env_flag(value: str | None) -> bool:
    """actions-toolkit ``Util.parseBoolOrDefault``: on for a ParseBool word of true, off for
    anything else (unset included)."""
    return go_bool(value or "") is True


class Switch(Enum):
    """An input that is ``auto`` (decided from the run), ``true`` or ``false``."""

    AUTO = "auto"
    TRUE = "true"
    FALSE = "false"


def input_switch(name: str, value: str) -> Switch:
    """``auto`` (or blank), else a boolean as ``input_bool`` reads it."""
    text = value.strip()
    if text.lower() in ("", "auto"):
        return Switch.AUTO
    try:
        return Switch.TRUE if input_bool(name, text) else Switch.FALSE
    except InputError:
        raise InputError(name, f"{text!r} is not valid; use auto, true or false") from None


def whole_number(digits: str, maximum: int) -> int | None:
    """ASCII digits as a number, None when it is over ``maximum``; checked by length first, as
    ``int()`` refuses more than 4300 digits."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(maximum)) or int(significant) > maximum:
        return None
    return int(significant)
