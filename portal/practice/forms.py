"""Forms for the practitioner's settings: services, weekly hours, time off, booking rules, the practice's contact."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TimeField, ValidationError
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from portal.booking.place import video_link_problem
from portal.forms import (
    TimezoneField,
    DateField,
    IntegerField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)
from portal.models import LocationKind
from portal.models.booking import ADDRESS_MAX, VIDEO_URL_MAX
from portal.models.practice import EMAIL_MAX, PHONE_MAX, REGISTRATION_MAX
from portal.practice.details import PHONE_PATTERN

LOCATION_CHOICES = [
    (LocationKind.IN_PERSON.value, "In person, at your practice address (or the address below)"),
    (LocationKind.PHONE.value, "By phone: you phone the client"),
    (LocationKind.VIDEO.value, "By video, in your own video room (Zoom, Google Meet, Jitsi, Whereby …)"),
]

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _minutes(label: str, low: int, high: int, hint: str = "") -> IntegerField:
    return IntegerField(
        label,
        description=hint,
        validators=[
            InputRequired("Enter a number."),
            NumberRange(low, high, message=f"Enter a number from {low} to {high}."),
        ],
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


def _address_validators() -> list:
    too_long = f"Use at most {ADDRESS_MAX} characters."
    return [Optional(), Length(max=ADDRESS_MAX, message=too_long), no_replacement_characters]


class ServiceForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Give the service a name."),
            Length(max=120, message="Use at most 120 characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": 120},
    )
    description = TextAreaField(
        "Description",
        filters=[strip_whitespace],
        description="What the client gets; shown on the booking page.",
        validators=[Optional(), Length(max=2000, message="Use at most 2,000 characters."), no_replacement_characters],
        render_kw={"maxlength": 2000, "rows": 4},
    )
    duration_minutes = _minutes("Length in minutes", 5, 480)
    price = StringField(
        "Price",
        filters=[strip_whitespace],
        description="0 for a free session.",
        validators=[InputRequired("Enter a price, or 0 for free."), Length(max=20)],
        render_kw={"inputmode": "decimal", "maxlength": 20},
    )
    active = BooleanField("Clients can book this service", default=True)
    location_kind = RadioField(
        "Where it happens",
        choices=select_choices(LOCATION_CHOICES),
        default=LocationKind.IN_PERSON.value,  # also when a form is sent without it
    )
    video_url = StringField(
        "Video room link",
        filters=[strip_whitespace],
        description="For video sessions: your room's link, starting with https://. Clients see it only on their "
        "own booking page, in their e-mails and calendar. You can give one session another link on its page.",
        # No Optional(): it would stop validate_video_url, which asks for a link when the service is by video.
        validators=[Length(max=VIDEO_URL_MAX, message=f"Use at most {VIDEO_URL_MAX} characters.")],
        render_kw={"maxlength": VIDEO_URL_MAX, "inputmode": "url", "autocomplete": "url", "spellcheck": "false"},
    )
    address = TextAreaField(
        "Address for this service (optional)",
        filters=[strip_whitespace],
        description="For in-person sessions somewhere other than your practice address (set in Settings).",
        validators=_address_validators(),
        render_kw={"maxlength": ADDRESS_MAX, "rows": 3},
    )

    def validate_video_url(self, field) -> None:
        """A video service needs a room link; a link typed for another kind is kept for later, so it must work."""
        if field.data or self.location_kind.data == LocationKind.VIDEO:
            problem = video_link_problem(field.data or "")
            if problem:
                raise ValidationError(problem)


class AddressForm(FlaskForm):
    address = TextAreaField(
        "Practice address",
        filters=[strip_whitespace],
        description="Where you see clients in person. It is shown with every in-person session, on the booking "
        "pages, in the e-mails and in the calendar invitation.",
        validators=_address_validators(),
        render_kw={"maxlength": ADDRESS_MAX, "rows": 3, "autocomplete": "street-address"},
    )


class HoursForm(FlaskForm):
    weekday = SelectField(
        "Day", coerce=int, choices=select_choices(enumerate(WEEKDAYS)), validators=[InputRequired("Choose a day.")]
    )
    start = TimeField("From", validators=[InputRequired("Enter a start time.")])
    end = TimeField(
        "Until", validators=[InputRequired("Enter an end time.")], description="00:00 means until midnight."
    )


class TimeOffForm(FlaskForm):
    first_day = DateField("First day off", validators=[InputRequired("Enter the first day.")])
    last_day = DateField("Last day off", validators=[Optional()], description="Leave empty for a single day.")
    note = StringField(
        "Note (only you see it)",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=200, message="Use at most 200 characters."), no_replacement_characters],
        render_kw={"maxlength": 200},
    )


class RulesForm(FlaskForm):
    timezone = TimezoneField(
        "Practice time zone",
        description="Your working hours and time off are in this zone.",
        render_kw={"data-timezone-list": "1"},  # the device's zone listed first, not chosen for her
    )
    buffer_before_minutes = _minutes("Buffer before each session (minutes)", 0, 240)
    buffer_after_minutes = _minutes("Buffer after each session (minutes)", 0, 240, "Time to write notes or rest.")
    min_notice_hours = _minutes(
        "Minimum notice (hours)",
        0,
        720,
        "How long ahead clients must book, in whole hours: e.g. 12, or 48 for two days.",
    )
    horizon_days = _minutes("Clients may book up to (days ahead)", 1, 365)
    slot_step_minutes = _minutes("Start times every (minutes)", 5, 240)
    cancellation_window_hours = _minutes("Clients may cancel or move up to (hours before)", 0, 336)
    hold_minutes = _minutes("An unpaid booking holds its time for (minutes)", 5, 1440)
    reminder_hours = _minutes("Send the reminder (hours before)", 1, 168)


class ContactForm(FlaskForm):
    """How clients reach the practice (the owner's): shown in the footer, on booking pages, receipts and e-mails."""

    phone = StringField(
        "Phone",
        filters=[strip_whitespace],
        description="Shown wherever a page asks clients to contact the practice.",
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=f"Use at most {PHONE_MAX} characters."),
            Regexp(PHONE_PATTERN, message="Enter a phone number: digits, spaces, brackets, dashes and a leading +."),
        ],
        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "maxlength": PHONE_MAX},
    )
    email = StringField(
        "E-mail",
        filters=[strip_whitespace],
        description="Clients' replies to the portal's e-mails go here.",
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=f"An e-mail address is at most {EMAIL_MAX} characters."),
            Email("Enter an e-mail address like hello@example.com.", check_deliverability=False),
            no_replacement_characters,
        ],
        render_kw={"type": "email", "autocomplete": "email", "maxlength": EMAIL_MAX},
    )
    registration = TextAreaField(
        "Registration details",
        filters=[strip_whitespace],
        description="Your professional body and registration number, e.g. “Registered with BANT, no. 12345”. "
        "Printed on receipts and at the foot of every page.",
        validators=[
            Optional(),
            Length(max=REGISTRATION_MAX, message=f"Use at most {REGISTRATION_MAX} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": REGISTRATION_MAX, "rows": 2},
    )
