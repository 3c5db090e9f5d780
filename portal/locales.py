"""Babel locales, parsed once: parsing "en_GB" on every date or amount was most of the cost of showing it."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale


@lru_cache(maxsize=8)
def babel_locale(name: str) -> Locale:
    return Locale.parse(name)
