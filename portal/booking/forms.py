"""Forms for booking, moving and cancelling sessions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import (
    DateField,
    HiddenField,
    StringField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)


class ChooseSlotForm(FlaskForm):
    """Confirms the start time chosen on the slot page (an ISO UTC instant)."""

    start = HiddenField(validators=[InputRequired(), Length(max=40)])


class CancelForm(FlaskForm):
    reason = StringField(
        "Reason (optional)",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=300, message="Use at most 300 characters."), no_replacement_characters],
        render_kw={"maxlength": 300},
    )


class MoveForm(FlaskForm):
    day = DateField("New date", validators=[InputRequired("Choose a date.")])
    time = TimeField("New start time", validators=[InputRequired("Choose a time.")])


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        choices=select_choices([("completed", "Completed"), ("no_show", "No-show")]), validators=[InputRequired()]
    )
