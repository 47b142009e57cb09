"""JavaScript ``Number(string)`` and number-to-string, where upstream's output depends on them.

Upstream feeds version parts, the short-sha length and priorities through ``Number()``; a
Python ``int()`` differs on inputs such as ``"0x10"``, ``"1e3"`` or 20-digit numbers.
"""

from __future__ import annotations

import math
import re

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PREFIXED = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_BASES = {"x": 16, "o": 8, "b": 2}
# What parseInt(text, 10) reads: leading blanks, a sign, then decimal digits; the rest ignored.
JS_PARSE_INT = re.compile(r"\s*([+-]?)([0-9]+)")


def js_number(text: str) -> float:  # noqa: PLR0911 - one return per syntax Number() knows
    """``Number(text)``: NaN when JavaScript would give NaN."""
    s = text.strip()
    if s == "":
        return 0.0
    if _DECIMAL.fullmatch(s):
        try:
            return float(s)
        except OverflowError:  # pragma: no cover - float() returns inf instead
            return math.inf
    prefixed = _PREFIXED.fullmatch(s)
    if prefixed:
        try:
            return float(int(prefixed.group(2), _BASES[prefixed.group(1).lower()]))
        except ValueError:  # a digit the base does not have: 0b12
            return math.nan
        except OverflowError:  # beyond 1.8e308, where Number() says Infinity
            return math.inf
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


def js_str(value: float) -> str:
    """``String(value)`` for a number."""
    if math.isnan(value) or math.isinf(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if value == int(value) and abs(value) < 1e21:
        if abs(value) <= 2**53 or not e:  # below 1e16 repr has every digit and no exponent
            return str(int(value))
        # Shortest round-trip digits, then zeros: what JavaScript prints for big integers.
        digits = mantissa.replace(".", "").lstrip("-")
        sign = "-" if value < 0 else ""
        return sign + digits + "0" * (int(exponent) + 1 - len(digits))
    if e:
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa.removesuffix('.0')}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


_EXACT_DIGITS = len(str(2**53))


def js_int_str(digits: str) -> str:
    """``String(Number(digits))`` for a run of decimal digits, however long: ``int()``
    refuses more than 4300 digits, ``float()`` reads any number of them (Infinity past
    1.8e308, as ``Number()``)."""
    significant = digits.lstrip("0") or "0"
    if len(significant) <= _EXACT_DIGITS and int(significant) <= 2**53:
        return significant
    return js_str(float(significant))
