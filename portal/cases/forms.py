"""Forms for notes, amendments and note templates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, FormField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.cases.notes import MAX_AMENDMENT, MAX_REASON, MAX_SECTION_TEXT, MAX_TITLE
from portal.cases.templates import MAX_PROMPT, MAX_SECTIONS
from portal.cases.templates import MAX_TITLE as MAX_SECTION_TITLE
from portal.forms import (
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    strip_whitespace,
)


class NewNoteForm(FlaskForm):
    template_id = SelectField("Template", coerce=int, validators=[InputRequired("Choose a template.")])
    booking_id = SelectField(
        "Session",
        coerce=int,
        default=0,
        description="The session this note is about, or none for a note between sessions.",
    )


class NoteForm(FlaskForm):
    """A draft: the title and one text per section (the note's own sections, in order)."""

    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Give the note a title."),
            Length(max=MAX_TITLE, message=f"Use at most {MAX_TITLE} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": MAX_TITLE},
    )
    revision = IntegerField(widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=1)])
    sections = FieldList(
        TextAreaField(
            validators=[
                Optional(),
                Length(max=MAX_SECTION_TEXT, message=f"Use at most {MAX_SECTION_TEXT:,} characters."),
                no_replacement_characters,
            ],
            render_kw={"maxlength": MAX_SECTION_TEXT, "rows": 6},
        ),
        max_entries=MAX_SECTIONS,
    )


class AmendForm(FlaskForm):
    reason = StringField(
        "Why you are amending it",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Say why you are amending the note."),
            Length(max=MAX_REASON, message=f"Use at most {MAX_REASON} characters."),
            no_replacement_characters,
        ],
        description="For example: a correction, results that came in later, something she told you afterwards.",
        render_kw={"maxlength": MAX_REASON},
    )
    text = TextAreaField(
        "What to add or correct",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Write the amendment."),
            Length(max=MAX_AMENDMENT, message=f"Use at most {MAX_AMENDMENT:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": MAX_AMENDMENT, "rows": 5},
    )


class SectionForm(FlaskForm):
    class Meta:
        csrf = False  # part of TemplateForm, which carries the token

    title = StringField(
        "Section title",
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=MAX_SECTION_TITLE, message=f"Use at most {MAX_SECTION_TITLE} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": MAX_SECTION_TITLE},
    )
    prompt = TextAreaField(
        "Prompt",
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=MAX_PROMPT, message=f"Use at most {MAX_PROMPT} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": MAX_PROMPT, "rows": 3},
    )


class TemplateForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Give the template a name."),
            Length(max=120, message="Use at most 120 characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": 120},
    )
    sections = FieldList(FormField(SectionForm), min_entries=MAX_SECTIONS, max_entries=MAX_SECTIONS)
    archived = BooleanField("Archived (not offered for new notes)")
