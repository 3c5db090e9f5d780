"""What every template can use."""
from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from portal.timeutil import local_datetime


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _globals():
        return {"practice_name": current_app.config["PRACTICE_NAME"]}

    @app.template_filter("localtime")
    def _localtime(value, fmt: str = "EEEE d MMMM y, HH:mm"):
        """A UTC datetime in the logged-in person's zone (the practice's for visitors)."""
        tz = current_user.timezone if current_user.is_authenticated else current_app.config["PRACTICE_TIMEZONE"]
        return local_datetime(value, tz, fmt)
