"""Forms for signing up, logging in and resetting a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Email, InputRequired, Length

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from portal.forms import (
    TimezoneField,
    EmailField,
    PasswordField,
    StringField,
    no_replacement_characters,
    strip_whitespace,
)

EMAIL_VALIDATORS = [
    InputRequired("Enter your e-mail address."),
    Length(max=254, message="An e-mail address is at most 254 characters."),
    Email("Enter an e-mail address like name@example.com.", check_deliverability=False),
    no_replacement_characters,
]
NEW_PASSWORD_VALIDATORS = [
    InputRequired("Choose a password."),
    Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters."),
    no_replacement_characters,
]


class SignupForm(FlaskForm):
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
    email = EmailField(
        "E-mail address",
        validators=EMAIL_VALIDATORS,
        filters=[strip_whitespace],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    password = PasswordField(
        "Password",
        validators=NEW_PASSWORD_VALIDATORS,
        description=f"At least {MIN_LENGTH} characters. A few words you will remember work well.",
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH},
    )
    timezone = TimezoneField(
        "Your time zone",
        description="Session times are shown in this zone. We picked the one your device uses.",
        validators=[InputRequired("Choose your time zone.")],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=EMAIL_VALIDATORS,
        filters=[strip_whitespace],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Enter your password."),
            Length(max=MAX_LENGTH, message="That password is too long."),
        ],
        render_kw={"autocomplete": "current-password", "maxlength": MAX_LENGTH},
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=EMAIL_VALIDATORS,
        filters=[strip_whitespace],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=NEW_PASSWORD_VALIDATORS,
        description=f"At least {MIN_LENGTH} characters.",
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH},
    )


class ConfirmEmailForm(FlaskForm):
    """Only the CSRF token: confirming is a button, so a mail scanner that opens the link confirms nothing."""
