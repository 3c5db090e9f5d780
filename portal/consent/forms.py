"""Forms for the practice's documents and for signing them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.consent.documents import MAX_NAME, MAX_TEXT, MAX_TITLE
from portal.forms import (
    HiddenField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)
from portal.models import KIND_TITLES, DocumentKind


class NewDocumentForm(FlaskForm):
    kind = SelectField(
        "Kind of document",
        choices=select_choices((kind.value, KIND_TITLES[kind]) for kind in DocumentKind),
        validators=[InputRequired("Choose what kind of document this is.")],
    )
    title = StringField(
        "Title",
        filters=[strip_whitespace],
        description="Leave empty to use the kind's name; needed for another document.",
        validators=[Length(max=MAX_TITLE, message=f"Use at most {MAX_TITLE} characters."), no_replacement_characters],
    )

    def validate_title(self, field) -> None:
        if self.kind.data == DocumentKind.OTHER and not (field.data or "").strip():
            raise ValidationError("Give your document a title.")


class DocumentForm(FlaskForm):
    """The draft of a document: its title and its text."""

    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Give the document a title."),
            Length(max=MAX_TITLE, message=f"Use at most {MAX_TITLE} characters."),
            no_replacement_characters,
        ],
    )
    text = TextAreaField(
        "Text",
        description="Plain text. Leave an empty line between paragraphs.",
        validators=[Length(max=MAX_TEXT, message=f"Use at most {MAX_TEXT:,} characters."), no_replacement_characters],
    )


class PublishForm(FlaskForm):
    seen = HiddenField()  # the draft's fingerprint as the page showed it


class SignForm(FlaskForm):
    version_id = HiddenField()
    full_name = StringField(
        "Your full name",
        filters=[strip_whitespace],
        description="Typing your name here is your signature.",
        render_kw={"autocomplete": "name"},
        validators=[
            DataRequired("Type your full name to sign."),
            Length(max=MAX_NAME, message=f"Use at most {MAX_NAME} characters."),
            no_replacement_characters,
        ],
    )
    agree = BooleanField(validators=[DataRequired("Tick the box to say you agree.")])
