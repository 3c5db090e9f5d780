"""Money as integer minor units with a currency: parsing what people type, and showing amounts."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

from portal.inputs import plain_decimal
from portal.locales import babel_locale


@lru_cache(maxsize=4096)  # a pure function that pages call for the same few prices again and again
def format_money(minor: int, currency: str, locale: str = "en_GB") -> str:
    """1500 GBP -> '£15.00'."""
    return format_currency(
        Decimal(minor).scaleb(-get_currency_precision(currency)), currency, locale=babel_locale(locale)
    )


def money_input(minor: int, currency: str) -> str:
    """1550 GBP -> '15.50': an amount as it goes back into a form field."""
    return f"{Decimal(minor).scaleb(-get_currency_precision(currency)):f}"


def parse_money(text: str, currency: str) -> int:
    """'75', '75.5' or '75.50' -> 7550 minor units; ValueError with a plain message otherwise."""
    cleaned = text.strip().replace(",", "").lstrip("£$€")
    amount = plain_decimal(cleaned)  # Decimal() alone takes 'sNaN', 'Infinity' and '1E+999999999'
    if amount is None:
        raise ValueError("Enter an amount like 75 or 75.50.")
    digits = get_currency_precision(currency)
    if amount < 0:
        raise ValueError("Enter an amount of 0 or more.")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # plain_decimal refuses NaN and Infinity, whose exponent is a letter
    if exponent < -digits:
        raise ValueError(f"Use at most {digits} decimal places.")
    minor = int(amount.scaleb(digits))
    if minor > 10_000_000:
        raise ValueError("That amount is too large.")
    return minor
