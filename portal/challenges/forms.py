"""Forms: starting a challenge, its conclusion, and her yes/no for the day."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import (
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)
from portal.models.challenges import CONCLUSION_MAX, ELIMINATE_DAYS, REINTRODUCE_DAYS, TITLE_MAX, WATCH_DAYS


def _days(label: str, bounds: tuple[int, int], hint: str) -> IntegerField:
    low, high = bounds
    return IntegerField(
        label,
        description=hint,
        validators=[
            InputRequired("Give the number of days."),
            NumberRange(low, high, f"Choose {low} to {high} days."),
        ],
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


class StartForm(FlaskForm):
    source = SelectField("What she leaves out", validators=[InputRequired("Choose a food or a protocol item.")])
    title = StringField(
        "The food, as she will read it",
        description='In a sentence like "Day 5 of 21 without dairy". Leave empty to use the name chosen above.',
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": TITLE_MAX},
    )
    eliminate_days = _days("Days without it", ELIMINATE_DAYS, "Usually 21 (three weeks).")
    reintroduce_days = _days("Days bringing it back", REINTRODUCE_DAYS, "A normal portion each day; usually 3.")
    watch_days = _days("Days watching after", WATCH_DAYS, "Without it again, noting how she feels; usually 4.")
    starts_on = DateField("First day without it", validators=[InputRequired("Enter the first day, like 2026-03-31.")])


class ConclusionForm(FlaskForm):
    conclusion = TextAreaField(
        "What the challenge showed",
        description="What the challenge showed and what she does now. She sees this on her results page.",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Write what the challenge showed."),
            Length(max=CONCLUSION_MAX, message=f"Use at most {CONCLUSION_MAX:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": CONCLUSION_MAX, "rows": 5},
    )


class AnswerForm(FlaskForm):
    ate = RadioField(
        "", choices=select_choices([("yes", "Yes"), ("no", "No")]), validators=[InputRequired("Choose yes or no.")]
    )
    day = HiddenField(validators=[DataRequired()])


class StopForm(FlaskForm):
    """Stopping early: a button, with its CSRF token."""
