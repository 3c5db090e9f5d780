"""The daily diary form: a day's entry in under 30 seconds, with large targets for a phone."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.forms import (
    DecimalField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)

SCALE = select_choices((n, str(n)) for n in range(11))
MEDICATION_LABELS = [
    ("triptan", "Triptan, e.g. sumatriptan, rizatriptan"),
    ("ergot", "Ergot, e.g. ergotamine, dihydroergotamine"),
    ("opioid", "Opioid, e.g. codeine, tramadol"),
    ("combination", "Combination painkiller, e.g. paracetamol with caffeine or codeine"),
    ("simple", "Simple painkiller, e.g. paracetamol, ibuprofen, aspirin"),
]
BRISTOL_LABELS = [
    (1, "1 · separate hard lumps"),
    (2, "2 · lumpy sausage"),
    (3, "3 · sausage with cracks"),
    (4, "4 · smooth, soft sausage"),
    (5, "5 · soft blobs, clear edges"),
    (6, "6 · mushy, ragged pieces"),
    (7, "7 · watery, no solid pieces"),
]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def optional_scale(label: str) -> RadioField:
    """A 0-10 scale that may be left alone: then its data is None, "not answered", never 0."""
    return RadioField(
        label,
        coerce=int,
        choices=SCALE,
        validate_choice=False,  # nothing chosen is allowed; a value sent is checked by the range below
        validators=[Optional(), NumberRange(0, 10, message="Choose from 0 to 10.")],
    )


class DiaryForm(FlaskForm):
    headache = RadioField(
        "Headache today",
        default="none",
        choices=select_choices([("none", "None"), ("headache", "Headache"), ("migraine", "Migraine")]),
        validators=[InputRequired("Choose none, headache or migraine.")],
    )
    intensity = optional_scale("At its worst (0 none – 10 worst)")
    hours = DecimalField(
        "How many hours",
        places=1,
        validators=[Optional(), NumberRange(0, 24, message="Enter between 0 and 24 hours.")],
        render_kw={"inputmode": "decimal", "step": "0.5", "min": 0, "max": 24},
    )
    medication = MultiCheckboxField("Medication taken for it", choices=select_choices(MEDICATION_LABELS))
    stool_types = MultiCheckboxField("Stools today (Bristol type)", coerce=int, choices=select_choices(BRISTOL_LABELS))
    bloating = optional_scale("Bloating (0 none – 10 worst)")
    abdominal_pain = optional_scale("Tummy pain (0 none – 10 worst)")
    note = TextAreaField(
        "Food, triggers, anything else (optional)",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=1000, message="Use at most 1,000 characters."), no_replacement_characters],
        render_kw={"maxlength": 1000, "rows": 3},
    )


class AnswerForm(FlaskForm):
    """The CSRF check for one answer; the answer itself is read per item (its choices vary)."""


SCHEDULES = [("", "Once"), ("2", "Every 2 weeks"), ("4", "Every 4 weeks"), ("8", "Every 8 weeks")]


VALIDATED_CHOICES = [
    ("phq9", "PHQ-9 (mood)"),
    ("gad7", "GAD-7 (anxiety)"),
    ("midas", "MIDAS (migraine disability)"),
    ("hit6", "HIT-6 (headache impact)"),
    ("ibs_sss", "IBS-SSS (IBS severity)"),
    ("gsrs", "GSRS (gut symptoms)"),
    ("id_migraine", "ID-Migraine (migraine screener)"),
]


def assign_choices(validated: list[str], own: list) -> list:
    """The validated instruments that can be sent (codes in `validated`), then her own published questionnaires
    (custom.LibraryEntry)."""
    return select_choices(
        [(code, label) for code, label in VALIDATED_CHOICES if code in validated]
        + [(entry.code, f"{entry.latest.title} (yours)") for entry in own]
    )


class AssignForm(FlaskForm):
    code = SelectField(
        "Questionnaire",
        validators=[InputRequired("Choose a questionnaire.")],
        choices=select_choices(VALIDATED_CHOICES),
    )
    every = SelectField("How often", choices=select_choices(SCHEDULES), default="")


class QuestionnaireForm(FlaskForm):
    """The title, introduction and scoring of one of her own questionnaires."""

    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Give the questionnaire a title."),
            Length(max=120, message="Use at most 120 characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": 120},
    )
    description = TextAreaField(
        "Introduction for the client (optional)",
        filters=[strip_whitespace],
        description="Shown above every question, e.g. the period it asks about.",
        validators=[Optional(), Length(max=2000, message="Use at most 2,000 characters."), no_replacement_characters],
        render_kw={"maxlength": 2000, "rows": 2},
    )
    sum_score = BooleanField("Add up a score (choice points and 0–10 answers) and chart it over time")


KIND_CHOICES = [
    ("single", "One choice"),
    ("multiple", "Several choices"),
    ("scale_0_10", "Scale 0–10"),
    ("short_text", "Short text"),
    ("long_text", "Long text"),
    ("number", "Number"),
    ("date", "Date"),
]


class QuestionForm(FlaskForm):
    text = TextAreaField(
        "Question",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Write the question."),
            Length(max=500, message="Use at most 500 characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": 500, "rows": 2},
    )
    kind = SelectField(
        "Answer",
        choices=select_choices(KIND_CHOICES),
        default="single",
        validators=[InputRequired("Choose what kind of answer the question takes.")],
    )
    options = TextAreaField(
        "Answers to choose from (for choices)",
        filters=[strip_whitespace],
        description="One per line. Add points after an equals sign for the score: Most days = 3.",
        validators=[Optional(), Length(max=3000, message="Use at most 3,000 characters."), no_replacement_characters],
        render_kw={"maxlength": 3000, "rows": 4},
    )
    low = DecimalField(
        "Lowest number (for numbers, optional)", validators=[Optional()], render_kw={"inputmode": "decimal"}
    )
    high = DecimalField(
        "Highest number (for numbers, optional)", validators=[Optional()], render_kw={"inputmode": "decimal"}
    )
    required = BooleanField("She must answer it", default=True)


class IntakeForm(FlaskForm):
    codes = MultiCheckboxField("Sent with a client's first booking", choices=select_choices(VALIDATED_CHOICES))
