"""Forms for the protocol library, composing a session's protocol, and handout settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, FormField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import StringField, TextAreaField, no_replacement_characters, select_choices, strip_whitespace
from portal.models.handouts import CATEGORY_LABELS

CATEGORY_CHOICES = select_choices(CATEGORY_LABELS.items())


def _text(label: str, limit: int, hint: str = "", required: str | None = None) -> StringField:
    first = DataRequired(required) if required else Optional()
    return StringField(
        label,
        description=hint,
        filters=[strip_whitespace],
        validators=[first, Length(max=limit, message=f"Use at most {limit:,} characters."), no_replacement_characters],
        render_kw={"maxlength": limit},
    )


def _area(label: str, limit: int, hint: str = "", rows: int = 3) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=limit, message=f"Use at most {limit:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": limit, "rows": rows},
    )


class ItemFields:
    """The fields every protocol item has, in the library and on a protocol."""

    category = SelectField("Category", choices=CATEGORY_CHOICES, validators=[InputRequired("Choose a category.")])
    title = _text("Title the client sees", 120, required="Give the item a title.")
    dose = _text("Dose or amount", 120, "For example 300 mg, or 2 tablespoons.")
    timing = _text("When", 120, "For example with your evening meal.")
    duration = _text("For how long", 120, "For example 3 months, then we review.")
    instructions = _area("Instructions", 1000, "In plain words, for her.")
    rationale = _area("Why it helps", 1000, "One or two sentences; shown under the item.")


class ItemForm(ItemFields, FlaskForm):
    pass


class LineForm(ItemFields, FlaskForm):
    """One line of a protocol, inside the compose form (its CSRF token is the outer form's)."""

    class Meta:
        csrf = False


class ComposeForm(FlaskForm):
    summary = _area("Summary of the session", 3000, "A few sentences in her words: what you found and agreed.", 5)
    focus_points = _area("Focus points", 1500, "One per line: the two or three things that matter most.", 4)
    next_steps = _area("Next steps", 1500, "One per line.", 4)
    lines = FieldList(FormField(LineForm), max_entries=40)
    remove = SelectMultipleField(
        "Remove",
        coerce=int,
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    add_items = SelectMultipleField(
        "Add from your library",
        coerce=int,
        choices=[],
        validate_choice=False,
        description="Hold Ctrl or ⌘ to choose several.",
    )


class SettingsForm(FlaskForm):
    practice_name = _text("Practice name", 120, "At the top of every page.", required="Enter the practice name.")
    accent_colour = StringField(
        "Colour",
        filters=[strip_whitespace],
        description="Headings and table header.",
        validators=[
            InputRequired("Choose a colour."),
            Regexp(r"^#[0-9a-fA-F]{6}$", message="Enter # and six hex digits, for example #2d6a64."),
        ],
        render_kw={"type": "color"},
    )
    paper_size = SelectField(
        "Paper size",
        choices=select_choices([("A4", "A4"), ("Letter", "US Letter")]),
        validators=[InputRequired("Choose a paper size.")],
    )
    disclaimer = _area("Disclaimer", 1500, "Printed small at the end of every handout.", 4)
    logo_file = FileField("Logo", description="PNG, JPEG or SVG, at most 512 KB. Shown at the top of every page.")
    remove_logo = BooleanField("Remove the logo")
