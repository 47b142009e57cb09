"""moment.js ``format()`` tokens (English locale), for ``{{date '...'}}`` and ``{{commit_date}}``.

Upstream formats with moment-timezone, so the token table is moment's:
https://momentjs.com/docs/#/displaying/format/ . Text in ``[brackets]`` and characters
after ``\\`` are literal; any other character that is not a token is kept as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

_LONG_FORMATS = {
    "LTS": "h:mm:ss A",
    "LT": "h:mm A",
    "L": "MM/DD/YYYY",
    "LL": "MMMM D, YYYY",
    "LLL": "MMMM D, YYYY h:mm A",
    "LLLL": "dddd, MMMM D, YYYY h:mm A",
    "l": "M/D/YYYY",
    "ll": "MMM D, YYYY",
    "lll": "MMM D, YYYY h:mm A",
    "llll": "ddd, MMM D, YYYY h:mm A",
}
_LONG_RE = re.compile(r"(\[[^\[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})")
# moment's own token expression, including its quirks (``w|`` is matched, then kept as text).
_TOKEN_RE = re.compile(
    r"(\[[^\[]*\])|(\\)?([Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?"
    r"|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?"
    r"|ss?|S{1,9}|x|X|zz?|ZZ?|.)",
    re.DOTALL,
)

# The moments format_moment renders in any zone: a zone moves them by up to a day, a week-year
# looks at the years on either side, and datetime has only the years 1 to 9999.
EARLIEST = datetime(2, 1, 2, tzinfo=UTC)
LATEST = datetime(9998, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)

DEFAULT_FORMAT = "YYYY-MM-DDTHH:mm:ssZ"
DEFAULT_FORMAT_UTC = "YYYY-MM-DDTHH:mm:ss[Z]"


def zero_fill(number: int, length: int, force_sign: bool = False) -> str:
    digits = str(abs(number))
    sign = ("+" if force_sign else "") if number >= 0 else "-"
    return sign + "0" * max(0, length - len(digits)) + digits


def ordinal(number: int) -> str:
    last = number % 10
    suffix = "th" if (number % 100) // 10 == 1 else {1: "st", 2: "nd", 3: "rd"}.get(last, "th")
    return f"{number}{suffix}"


def _day_of_week(moment: datetime) -> int:
    return (moment.weekday() + 1) % 7  # Sunday = 0


def _first_week_offset(year: int, dow: int, doy: int) -> int:
    fwd = 7 + dow - doy
    fwdlw = (7 + (date(year, 1, 1) + timedelta(days=fwd - 1)).isoweekday() % 7 - dow) % 7
    return -fwdlw + fwd - 1


def _weeks_in_year(year: int, dow: int, doy: int) -> int:
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return (days - _first_week_offset(year, dow, doy) + _first_week_offset(year + 1, dow, doy)) // 7


def week_of_year(moment: datetime, dow: int, doy: int) -> tuple[int, int]:
    """(week, week-year) as moment computes them; (1, 4) is ISO, (0, 6) the English locale."""
    year = moment.year
    day_of_year = moment.timetuple().tm_yday
    week = (day_of_year - _first_week_offset(year, dow, doy) - 1) // 7 + 1
    if week < 1:
        return week + _weeks_in_year(year - 1, dow, doy), year - 1
    if week > _weeks_in_year(year, dow, doy):
        return week - _weeks_in_year(year, dow, doy), year + 1
    return week, year


def _offset(moment: datetime, separator: str) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{separator}{minutes % 60:02d}"


def _hour12(moment: datetime) -> int:
    return moment.hour % 12 or 12


def _millis(moment: datetime) -> int:
    return moment.microsecond // 1000


def _epoch_ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _fraction(length: int) -> Callable[[datetime], str]:
    def render(moment: datetime) -> str:
        millis = _millis(moment)
        if length <= 3:
            return zero_fill(millis // 10 ** (3 - length), length)
        return zero_fill(millis * 10 ** (length - 3), length)

    return render


def iso_week(moment: datetime) -> tuple[int, int]:
    return week_of_year(moment, 1, 4)


def locale_week(moment: datetime) -> tuple[int, int]:
    return week_of_year(moment, 0, 6)


def _tokens() -> dict[str, Callable[[datetime], str]]:
    table: dict[str, Callable[[datetime], str]] = {
        "M": lambda m: str(m.month),
        "Mo": lambda m: ordinal(m.month),
        "MM": lambda m: zero_fill(m.month, 2),
        "MMM": lambda m: _MONTHS[m.month - 1][:3],
        "MMMM": lambda m: _MONTHS[m.month - 1],
        "Q": lambda m: str((m.month + 2) // 3),
        "Qo": lambda m: ordinal((m.month + 2) // 3),
        "D": lambda m: str(m.day),
        "Do": lambda m: ordinal(m.day),
        "DD": lambda m: zero_fill(m.day, 2),
        "DDD": lambda m: str(m.timetuple().tm_yday),
        "DDDo": lambda m: ordinal(m.timetuple().tm_yday),
        "DDDD": lambda m: zero_fill(m.timetuple().tm_yday, 3),
        "d": lambda m: str(_day_of_week(m)),
        "do": lambda m: ordinal(_day_of_week(m)),
        "dd": lambda m: _DAYS[_day_of_week(m)][:2],
        "ddd": lambda m: _DAYS[_day_of_week(m)][:3],
        "dddd": lambda m: _DAYS[_day_of_week(m)],
        "e": lambda m: str(_day_of_week(m)),
        "E": lambda m: str(m.isoweekday()),
        "w": lambda m: str(locale_week(m)[0]),
        "wo": lambda m: ordinal(locale_week(m)[0]),
        "ww": lambda m: zero_fill(locale_week(m)[0], 2),
        "W": lambda m: str(iso_week(m)[0]),
        "Wo": lambda m: ordinal(iso_week(m)[0]),
        "WW": lambda m: zero_fill(iso_week(m)[0], 2),
        "Y": lambda m: zero_fill(m.year, 4) if m.year <= 9999 else f"+{m.year}",
        "YY": lambda m: zero_fill(m.year % 100, 2),
        "YYYY": lambda m: zero_fill(m.year, 4),
        "YYYYY": lambda m: zero_fill(m.year, 5),
        "YYYYYY": lambda m: zero_fill(m.year, 6, True),
        "gg": lambda m: zero_fill(locale_week(m)[1] % 100, 2),
        "gggg": lambda m: zero_fill(locale_week(m)[1], 4),
        "ggggg": lambda m: zero_fill(locale_week(m)[1], 5),
        "GG": lambda m: zero_fill(iso_week(m)[1] % 100, 2),
        "GGGG": lambda m: zero_fill(iso_week(m)[1], 4),
        "GGGGG": lambda m: zero_fill(iso_week(m)[1], 5),
        "N": lambda m: "AD",
        "NN": lambda m: "AD",
        "NNN": lambda m: "AD",
        "NNNN": lambda m: "Anno Domini",
        "NNNNN": lambda m: "AD",
        "y": lambda m: str(m.year),
        "yo": lambda m: ordinal(m.year),
        "yy": lambda m: zero_fill(m.year % 100, 2),
        "yyy": lambda m: zero_fill(m.year, 3),
        "yyyy": lambda m: zero_fill(m.year, 4),
        "a": lambda m: "pm" if m.hour >= 12 else "am",
        "A": lambda m: "PM" if m.hour >= 12 else "AM",
        "H": lambda m: str(m.hour),
        "HH": lambda m: zero_fill(m.hour, 2),
        "h": lambda m: str(_hour12(m)),
        "hh": lambda m: zero_fill(_hour12(m), 2),
        "k": lambda m: str(m.hour or 24),
        "kk": lambda m: zero_fill(m.hour or 24, 2),
        "hmm": lambda m: f"{_hour12(m)}{m.minute:02d}",
        "hmmss": lambda m: f"{_hour12(m)}{m.minute:02d}{m.second:02d}",
        "Hmm": lambda m: f"{m.hour}{m.minute:02d}",
        "Hmmss": lambda m: f"{m.hour}{m.minute:02d}{m.second:02d}",
        "m": lambda m: str(m.minute),
        "mm": lambda m: zero_fill(m.minute, 2),
        "s": lambda m: str(m.second),
        "ss": lambda m: zero_fill(m.second, 2),
        "Z": lambda m: _offset(m, ":"),
        "ZZ": lambda m: _offset(m, ""),
        "X": lambda m: str(_epoch_ms(m) // 1000),
        "x": lambda m: str(_epoch_ms(m)),
        "z": lambda m: m.tzname() or "",
        "zz": lambda m: m.tzname() or "",
    }
    for length in range(1, 10):
        table["S" * length] = _fraction(length)
    return table


_TOKEN_FUNCTIONS = _tokens()


def _expand_long(fmt: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return _LONG_FORMATS.get(match.group(0), match.group(0))

    return _LONG_RE.sub(replace, fmt)


def format_moment(moment: datetime, fmt: str | None) -> str:
    """``moment.format(fmt)``; ``None`` gives moment's default (``Z`` suffix at offset 0)."""
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    if fmt is None:
        offset = moment.utcoffset()
        fmt = DEFAULT_FORMAT_UTC if not offset else DEFAULT_FORMAT
    out: list[str] = []
    for match in _TOKEN_RE.finditer(_expand_long(fmt)):
        token = match.group(0)
        render = _TOKEN_FUNCTIONS.get(token)
        if render is not None:
            out.append(render(moment))
        elif re.match(r"\[[\s\S]", token):
            out.append(re.sub(r"^\[|\]$", "", token))
        else:
            out.append(token.replace("\\", ""))
    return "".join(out)


def zone(name: str) -> ZoneInfo:
    """An IANA time zone; like moment-timezone, the name's case does not matter."""
    # Imported only for the templates that name a zone (the start: bench/dry_run.py).
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones  # noqa: PLC0415

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        pass
    for candidate in available_timezones():
        if candidate.lower() == name.lower():
            return ZoneInfo(candidate)
    raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'Asia/Tokyo'")
