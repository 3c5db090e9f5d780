"""Scores and other figures as a person reads them: one formatting rule (Babel's) for every number shown."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import format_decimal

from portal.locales import babel_locale

MISSING = "–"


@lru_cache(maxsize=4096)  # pure; the same scores are shown on every page
def format_number(value: int | float | Decimal | Fraction | None, decimals: int = 2, locale: str = "en_GB") -> str:
    """2.07 -> '2.07', 10.0 -> '10', 1.05 -> '1.05', 1234.5 -> '1,234.5', None -> '–'.

    At most `decimals` places, trailing zeros dropped, rounded half-even as Babel does; never a bare '.0'."""
    if value is None:
        return MISSING
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    text = format_decimal(value, format=pattern, locale=babel_locale(locale))
    return "0" if text == "-0" else text  # a tiny negative rounded away is zero, not "minus zero"
