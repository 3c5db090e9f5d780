"""What every template can use."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from flask_login import current_user

from portal.money import format_money
from portal.numbers import format_number
from portal.practice.details import practice
from portal.timeutil import local_datetime, timezone_name


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _globals():
        # `practice()` (its address, phone, e-mail, registration) is read when a template first asks for it.
        return {"practice_name": current_app.config["PRACTICE_NAME"], "timedelta": timedelta, "practice": practice}

    @app.template_filter("localtime")
    def _localtime(value, fmt: str = "EEEE d MMMM y, HH:mm", tz: str | None = None):
        """A UTC datetime in zone `tz`, else the logged-in person's zone (the practice's for visitors)."""
        if tz is None:
            tz = current_user.timezone if current_user.is_authenticated else current_app.config["PRACTICE_TIMEZONE"]
        return local_datetime(value, tz, fmt)

    app.add_template_filter(timezone_name, "timezone_name")  # "UK time – London" for Europe/London

    @app.template_filter("number")
    def _number(value, decimals: int = 2):
        """Every score and figure: '2.07', '10', '–' for none (portal/numbers.py)."""
        return format_number(value, decimals)

    @app.template_filter("money")
    def _money(minor: int, currency: str):
        """Every amount and total, zero too: '£0.00'."""
        return format_money(minor, currency)

    @app.template_filter("price")
    def _price(minor: int, currency: str):
        """A service's or session's price: 'Free' when it costs nothing."""
        return "Free" if minor == 0 else format_money(minor, currency)
