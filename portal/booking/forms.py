"""Forms for booking, moving and cancelling sessions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TimeField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from portal.booking.place import video_link_problem
from portal.models.booking import VIDEO_URL_MAX

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


class VideoLinkForm(FlaskForm):
    """One session's own video room link; empty goes back to the service's."""

    video_url = StringField(
        "Video link for this session",
        filters=[strip_whitespace],
        description="Leave empty to use the service's link.",
        validators=[Optional(), Length(max=VIDEO_URL_MAX, message=f"Use at most {VIDEO_URL_MAX} characters.")],
        render_kw={"maxlength": VIDEO_URL_MAX, "inputmode": "url", "autocomplete": "url", "spellcheck": "false"},
    )

    def validate_video_url(self, field) -> None:
        problem = video_link_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)
