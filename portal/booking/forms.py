"""Forms for booking, moving and cancelling sessions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TimeField, ValidationError
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from portal.booking.lifecycle import SERIES_MAX
from portal.booking.place import video_link_problem
from portal.models.booking import VIDEO_URL_MAX

from portal.forms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
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


NEW_CLIENT = 0
REPEAT_CHOICES = [(0, "Just this session"), (1, "Every week"), (2, "Every 2 weeks"), (4, "Every 4 weeks")]
# How a session booked by the practice is paid. "package" (a package credit) joins these when packages exist.
PAYMENT_CHOICES = [
    ("at_session", "Pay at the session"),
    ("paid_now", "Paid now, by cash, bank transfer or other (recorded as paid)"),
    ("credit", "With her package: each session uses one of her package sessions"),
]
PAID_BY_CHOICES = [("cash", "Cash"), ("bank_transfer", "Bank transfer"), ("other", "Other")]


class StaffBookingForm(FlaskForm):
    """The practice books a session, or a series, for a client she may see or for a new one."""

    client_id = SelectField("Client", coerce=int, choices=[], validators=[InputRequired("Choose a client.")])
    new_name = StringField(
        "New client's name",
        filters=[strip_whitespace],
        # No Optional(): it would stop validate_new_name, which asks for a name when the client is new.
        validators=[Length(max=120, message="Use at most 120 characters."), no_replacement_characters],
        render_kw={"maxlength": 120, "autocomplete": "off"},
    )
    new_email = EmailField(
        "New client's e-mail address",
        filters=[strip_whitespace],
        description="She gets an e-mail with a link to choose her password.",
        validators=[Length(max=254, message="An e-mail address is at most 254 characters."), no_replacement_characters],
        render_kw={"maxlength": 254, "autocomplete": "off"},
    )
    service_id = SelectField("Service", coerce=int, choices=[], validators=[InputRequired("Choose a service.")])
    day = DateField("Date", validators=[InputRequired("Choose a date.")])
    time = TimeField("Start time", validators=[InputRequired("Choose a start time.")])
    repeat = SelectField("Repeat", coerce=int, choices=select_choices(REPEAT_CHOICES), default=0)
    count = IntegerField(
        "Number of sessions",
        default=6,
        description=f"For a series: 2 to {SERIES_MAX}, this one included.",
        validators=[Optional(), NumberRange(2, SERIES_MAX, message=f"Enter a number from 2 to {SERIES_MAX}.")],
        render_kw={"min": 2, "max": SERIES_MAX, "inputmode": "numeric"},
    )
    payment = RadioField("Payment", choices=select_choices(PAYMENT_CHOICES), default="at_session")
    paid_by = SelectField("Paid by", choices=select_choices(PAID_BY_CHOICES), default="cash")

    def validate_new_name(self, field) -> None:
        if self.client_id.data == NEW_CLIENT and not field.data:
            raise ValidationError("Enter the new client's name.")

    def validate_new_email(self, field) -> None:
        if self.client_id.data != NEW_CLIENT:
            return
        if not field.data:
            raise ValidationError("Enter the new client's e-mail address.")
        Email("Enter an e-mail address like name@example.com.", check_deliverability=False)(self, field)

    def validate_count(self, field) -> None:
        if self.repeat.data and field.data is None:
            raise ValidationError(f"Enter how many sessions, from 2 to {SERIES_MAX}.")
