"""Forms for the profile, the data export and the erasure confirmation."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import ValidationError
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.forms import (
    DateField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    strip_whitespace,
)
from portal.inputs import whole_number
from portal.records.profiles import FIELDS

_LIMITS = {f.name: f.max_length for f in FIELDS}
_LABELS = {f.name: f.label for f in FIELDS}


def _text(name: str, hint: str = "", rows: int = 3) -> TextAreaField:
    limit = _LIMITS[name]
    return TextAreaField(
        _LABELS[name],
        description=hint,
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=limit, message=f"Use at most {limit:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": limit, "rows": rows},
    )


def _line(name: str, hint: str = "", **render_kw) -> StringField:
    limit = _LIMITS[name]
    return StringField(
        _LABELS[name],
        description=hint,
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=limit, message=f"Use at most {limit:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": limit, **render_kw},
    )


class ProfileForm(FlaskForm):
    phone = StringField(
        "Phone",
        filters=[strip_whitespace],
        description="So we can reach you about a session.",
        validators=[
            Optional(),
            Length(max=40, message="Use at most 40 characters."),
            Regexp(
                r"^\+?[0-9 ()\-]{6,}$",
                message="Enter a phone number: digits, spaces, brackets, dashes and a leading +.",
            ),
        ],
        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "maxlength": 40},
    )
    date_of_birth = DateField("Date of birth", validators=[Optional()], render_kw={"autocomplete": "bday"})
    conditions = _text("conditions", "Diagnoses and long-standing problems, e.g. migraine with aura, IBS.")
    medication = _text("medication", "Name, dose and how often, including painkillers and the pill.")
    supplements = _text("supplements", "Vitamins, minerals, probiotics, herbs, with doses if you know them.")
    allergies = _text("allergies", "Allergies and foods you react to. Write “none” if there are none.", rows=2)
    goals = _text("goals", "What you would like to change, in your own words.")
    gp_name = _line("gp_name", autocomplete="off")
    gp_practice = _text("gp_practice", "Practice name, address and phone number.", rows=2)
    version = HiddenField()

    def validate_date_of_birth(self, field) -> None:
        if field.data and not date(1900, 1, 1) <= field.data <= date.today():
            raise ValidationError("Enter a date of birth between 1900 and today.")

    def validate_version(self, field) -> None:
        if field.data and whole_number(field.data, 0) is None:
            raise ValidationError("This form is out of date; please reload the page.")

    def profile_values(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name).data or (None if f.name == "date_of_birth" else "") for f in FIELDS}


class ClientExportForm(FlaskForm):
    """The client confirms her own export with her password (a phone left unlocked is not enough)."""

    password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password", "maxlength": 200},
    )


class TypedConfirmationForm(FlaskForm):
    """The practitioner types the client's e-mail address to confirm an export or an erasure."""

    confirmation = StringField(
        "Type the client's e-mail address to confirm",
        filters=[strip_whitespace],
        validators=[InputRequired("Type the e-mail address."), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 254},
    )
