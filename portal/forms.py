"""Validators and fields shared by the forms of every area.

Every form imports its text, number and date fields from here rather than from WTForms: these refuse what
WTForms would pass on (NUL and other control characters, a line break in a one-line field, '٣' or 2**64 in a
whole number, 'sNaN' or '1E+999999999' in a decimal, year 1 in a date). The refusal is the field's own error,
shown beside it with what was typed, and no other validator runs on the value, so nothing is stored and no
comparison trips over a NaN. tests/core/test_forms.py checks that every form's fields come from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import wtforms
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, StopValidation

from portal.timeutil import BROWSER_NAMES, timezone_choices
from portal.inputs import (
    DAY_RANGE_MESSAGE,
    in_day_range,
    plain_decimal,
    single_line_problem,
    text_problem,
    whole_number,
)


def no_replacement_characters(form, field) -> None:
    """Bytes that were not valid UTF-8 arrive as U+FFFD: refuse them instead of storing garbage."""
    if isinstance(field.data, str) and "\ufffd" in field.data:
        raise ValidationError("This contains characters we could not read. Please type it again.")


def strip_whitespace(value):
    """Filter: drop the spaces phones add after autocompleted words."""
    return value.strip() if isinstance(value, str) else value


# How a payment can be taken other than by card online (payments.models.PaymentMethod without "card").
PAID_BY_HAND = [("cash", "Cash"), ("bank_transfer", "Bank transfer"), ("other", "Other (e.g. card machine)")]


def select_choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


@lru_cache(maxsize=1)
def _timezone_select_choices() -> list[SelectChoice]:
    also = {canonical: old for old, canonical in BROWSER_NAMES.items()}
    return [
        SelectChoice(zone, label, {"data-also": also[zone]} if zone in also else {}, group)
        for group, pairs in timezone_choices().items()
        for zone, label in pairs
    ]


class TimezoneField(wtforms.SelectField):
    """A time zone chosen by the name people use ("UK time – London"), the common ones first, every other place
    after; the device's zone is put first by static/js/portal.js. Stores the IANA name; anything else is refused."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [InputRequired("Choose a time zone.")])
        kwargs.setdefault("render_kw", {"data-browser-timezone": "1", "data-timezone-list": "1"})
        super().__init__(
            label,
            choices=_timezone_select_choices(),
            invalid_choice_message="Choose a time zone from the list.",
            **kwargs,
        )


HIDDEN_FIELD_MESSAGE = "This page is out of date or was changed. Please reload it and try again."


class _Refuses:
    """A field that checks the raw text sent before WTForms parses it (`problem` says why it is refused)."""

    refused = False
    # What the WTForms field it is mixed into provides (annotations only: nothing is set here).
    data: Any
    widget: Any

    def problem(self, raw: str) -> str | None:
        raise NotImplementedError

    def process_formdata(self, valuelist: list) -> None:
        self.refused = False
        raw = next((v for v in valuelist if isinstance(v, str) and self.problem(v)), None)
        if raw is None:
            super().process_formdata(valuelist)  # type: ignore[misc]
            return
        self.refused = True
        if isinstance(self, wtforms.StringField):
            self.data = raw  # shown again as typed
        if getattr(self.widget, "input_type", "") == "hidden":  # nothing she typed: the page itself was changed
            raise ValueError(HIDDEN_FIELD_MESSAGE)
        raise ValueError(self.problem(raw))

    def pre_validate(self, form) -> None:
        if self.refused:
            raise StopValidation()  # the message is already the field's error
        super().pre_validate(form)  # type: ignore[misc]


class _SingleLine(_Refuses):
    def problem(self, raw: str) -> str | None:
        return single_line_problem(raw)


class _MultiLine(_Refuses):
    def problem(self, raw: str) -> str | None:
        return text_problem(raw)


class StringField(_SingleLine, wtforms.StringField):
    pass


class EmailField(_SingleLine, wtforms.EmailField):
    pass


class PasswordField(_SingleLine, wtforms.PasswordField):
    pass


class HiddenField(_SingleLine, wtforms.HiddenField):
    pass


class TextAreaField(_MultiLine, wtforms.TextAreaField):
    pass


class IntegerField(_Refuses, wtforms.IntegerField):
    """A whole number in ASCII digits that an INTEGER column holds (int() alone takes '٣' and any size)."""

    def problem(self, raw: str) -> str | None:
        if raw.strip() and whole_number(raw) is None:
            return "Enter a number in figures, like 45."
        return None


class DecimalField(_Refuses, wtforms.DecimalField):
    """A plain decimal like 2 or 2.5: no exponent, NaN or Infinity, which Decimal() would take."""

    def problem(self, raw: str) -> str | None:
        if raw.strip() and plain_decimal(raw) is None:
            return "Enter a number like 2 or 2.5."
        return None


class DateField(_Refuses, wtforms.DateField):
    """A date between 1900 and 2100, so adding days or a time zone to it can't overflow."""

    def problem(self, raw: str) -> str | None:
        return text_problem(raw) or (None if raw.isascii() else "Enter a date like 2026-03-31.")

    def post_validate(self, form, validation_stopped: bool) -> None:
        # After the form's own checks, so a more precise message ("between 1900 and today") comes first.
        super().post_validate(form, validation_stopped)
        if self.data is not None and not in_day_range(self.data) and not self.errors:
            raise ValidationError(DAY_RANGE_MESSAGE)


SAFE_FIELDS = (
    StringField,
    EmailField,
    PasswordField,
    HiddenField,
    TextAreaField,
    IntegerField,
    DecimalField,
    DateField,
)
