"""Validators and fields shared by the forms of every area."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice


def no_replacement_characters(form, field) -> None:
    """Bytes that were not valid UTF-8 arrive as U+FFFD: refuse them instead of storing garbage."""
    if isinstance(field.data, str) and "\ufffd" in field.data:
        raise ValidationError("This contains characters we could not read. Please type it again.")


def strip_whitespace(value):
    """Filter: drop the spaces phones add after autocompleted words."""
    return value.strip() if isinstance(value, str) else value


def select_choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]
