"""Reading what people send, in one place: whole numbers and ids, dates and instants, decimal amounts, and
text without control characters.

Python's own parsers accept far more than a person types: int() takes '٣' and 10**30, Decimal() takes
'sNaN' and '1E+999999999', date.fromisoformat() takes year 1 and year 9999, and text can hold NUL (which
PostgreSQL refuses) or a line break (which breaks an e-mail header). Each reader here returns None for
anything outside what the portal stores and computes with, so the caller can say so beside the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, UTC
from decimal import Decimal

from werkzeug.routing import IntegerConverter, Map

from portal.errors import PlainBadRequest

# Every id and count is an INTEGER column: 64 bits on SQLite but 32 on PostgreSQL, which refuses to compare
# one with a larger number ("integer out of range").
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Dates far enough from year 1 and 9999 that adding a week, a year or a time zone offset can't overflow.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2100, 12, 31)
DAY_RANGE_MESSAGE = "Enter a date between 1900 and 2100."

_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")  # never int() of thousands of digits
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]{5,15}(?:Z|[+-][0-9]{2}:?[0-9]{2})?")
# Everything str.splitlines() breaks at, NUL and the other C0 and C1 controls, and DEL.
_NOT_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, CR and LF are fine in a text area


def whole_number(text: str | None, low: int = INT_MIN, high: int = INT_MAX) -> int | None:
    """'42' or ' -7 ' as an int within [low, high] (by default what an INTEGER column holds); None for anything
    else, other scripts' digits too."""
    text = (text or "").strip()
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def plain_decimal(text: str | None, max_length: int = 30) -> Decimal | None:
    """'7', '7.5' or '.5' as a Decimal; None for exponents, NaN, Infinity, other digits or over-long text."""
    text = (text or "").strip()
    return Decimal(text) if len(text) <= max_length and _DECIMAL.fullmatch(text) else None


def in_day_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def iso_day(text: str | None) -> date | None:
    """'2026-03-31' as a date between 1900 and 2100; None otherwise."""
    text = (text or "").strip()
    if not _DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if in_day_range(day) else None


def day_in_link(raw: str | None) -> date | None:
    """The date a link asks for (?day=2026-03-31): None when it asks for none, a plain 400 when it is not a
    date between 1900 and 2100."""
    if not raw:
        return None
    day = iso_day(raw)
    if day is None:
        raise PlainBadRequest(
            "The date in that address is not one we can show. Use a date between 1900 and "
            "2100, written like 2026-03-31."
        )
    return day


def iso_instant(text: str | None) -> datetime | None:
    """An ISO date and time with its offset ('2026-03-31T09:15Z') as aware UTC, between 1900 and 2100."""
    text = (text or "").strip()
    if not _INSTANT.fullmatch(text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None or not in_day_range(value.date()):
        return None
    return value.astimezone(UTC)


def single_line_problem(text: str) -> str | None:
    """Why `text` can't go in a one-line field (a name, an address, a subject), or None."""
    if _NOT_IN_A_LINE.search(text):
        return "This must be one line, without control characters."
    return None


def text_problem(text: str) -> str | None:
    """Why `text` can't go in a multi-line field, or None: line breaks and tabs are fine, other controls not."""
    if _NOT_IN_TEXT.search(text):
        return "This contains control characters. Please type it again without them."
    return None


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: ASCII digits, at most what an INTEGER column holds. Anything else (other scripts'
    digits, 2**31 and beyond, 2**64) matches no route, so it is a 404, not an overflow in the database."""

    regex = r"[0-9]{1,10}"
    signed_regex = r"-?[0-9]{1,10}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, INT_MAX if max is None or max > INT_MAX else max, signed)
