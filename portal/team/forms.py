"""Forms for Settings → Team, accepting an invitation, care teams and booking for a client."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired, Length

from portal.accounts.forms import EMAIL_VALIDATORS, NEW_PASSWORD_VALIDATORS
from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from portal.forms import (
    TimezoneField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)

ROLE_CHOICES = [
    ("practitioner", "Practitioner: sees the clients on her care team"),
    ("assistant", "Assistant: agenda, bookings, payments and contact details; nothing clinical"),
]


class InviteForm(FlaskForm):
    email = EmailField(
        "Her e-mail address",
        validators=EMAIL_VALIDATORS,
        filters=[strip_whitespace],
        render_kw={"autocomplete": "off", "maxlength": 254},
    )
    role = SelectField("Role", choices=select_choices(ROLE_CHOICES), validators=[InputRequired("Choose a role.")])


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=select_choices((v, v.capitalize()) for v, _ in ROLE_CHOICES),
        validators=[InputRequired("Choose a role.")],
    )


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""


class CareTeamForm(FlaskForm):
    practitioner_id = SelectField(
        "Practitioner", coerce=int, choices=[], validators=[InputRequired("Choose a practitioner.")]
    )


class AcceptForm(FlaskForm):
    name = StringField(
        "Your name",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Tell us your name."),
            Length(max=120, message="Use at most 120 characters."),
            no_replacement_characters,
        ],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    password = PasswordField(
        "Password",
        validators=NEW_PASSWORD_VALIDATORS,
        description=f"At least {MIN_LENGTH} characters. A few words you will remember work well.",
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH},
    )
    timezone = TimezoneField("Your time zone", validators=[InputRequired("Choose your time zone.")])


class BookForClientForm(FlaskForm):
    start = HiddenField(validators=[InputRequired()])
