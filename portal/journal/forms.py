"""The diary day's form with the journal: the headache and gut questions (questionnaires.forms.DiaryForm) and
meals with their tags and photos, habits, sleep, water, stress, period and supplement ticks.

Everything may be left alone: a field not answered is None, never 0 or "no".
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from portal.forms import (
    HiddenField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)
from portal.journal.meals import MAX_MEALS, MAX_SLEEP_MINUTES, MEAL_GROUPS, DayJournal, MealInput, SavedDay
from portal.journal.photos import MAX_UPLOAD_BYTES, PhotoError, clean_photo
from portal.models import DiaryEntry, MealKind, ProtocolLine, TagGroup, TriggerTag
from portal.journal.tags import GROUP_TITLES, OWN_GROUPS
from portal.models.journal import DESCRIPTION_MAX, TAG_LABEL_MAX
from portal.questionnaires.diary import MEDICATION_CLASSES
from portal.questionnaires.forms import DiaryForm, MultiCheckboxField, optional_scale

MEAL_KINDS = [(k.value, k.value.capitalize()) for k in MealKind]
WATER_CHOICES = [("", "Not answered")] + [(str(n), f"{n} glass" + ("" if n == 1 else "es")) for n in range(21)]


def _hours(minutes: int) -> str:
    whole, half = divmod(minutes, 60)
    return f"{whole}{'½' if half else ''} hour{'' if minutes == 60 else 's'}"


SLEEP_CHOICES = [("", "Not answered")] + [(str(m), _hours(m)) for m in range(0, MAX_SLEEP_MINUTES + 1, 30)]


def _int_or_none(value) -> int | None:
    """A select's value as a whole number; "" (not answered) as None."""
    if value in (None, ""):
        return None
    return int(value)


def _yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else value


class MealForm(Form):
    """One meal of the day; `id` is empty for the new meal the form always ends with."""

    id = HiddenField()
    kind = RadioField(
        "Which meal",
        choices=select_choices(MEAL_KINDS),
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([k for k, _ in MEAL_KINDS], message="Choose breakfast, lunch, dinner, snack or drink."),
        ],
    )
    description = TextAreaField(
        "What it was, in your words (optional)",
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 2},
    )
    tags = MultiCheckboxField("What was in it")  # choices: the practice's list (day_form sets them)
    photo = FileField("A photo (optional)", render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_photo = BooleanField("Remove the photo")
    remove = BooleanField("Remove this meal")


class JournalDayForm(DiaryForm):
    meals = FieldList(FormField(MealForm), min_entries=1, max_entries=MAX_MEALS + 1)
    all_meals_logged = BooleanField("I logged all my meals today")
    day_tags = MultiCheckboxField("Habits today")
    water = SelectField(
        "Water today",
        choices=select_choices(WATER_CHOICES),
        coerce=_int_or_none,
        validate_choice=False,
        validators=[Optional()],
    )
    sleep_hours = SelectField(
        "Sleep last night",
        choices=select_choices(SLEEP_CHOICES),
        coerce=_int_or_none,
        validate_choice=False,
        validators=[Optional()],
    )
    sleep_quality = optional_scale("How well you slept (0 very badly – 10 very well)")
    stress = optional_scale("Stress (0 none – 10 extreme)")
    period = RadioField(
        "Period today",
        choices=select_choices([("yes", "Yes"), ("no", "No")]),
        validate_choice=False,
        validators=[Optional(), AnyOf(["yes", "no"], message="Choose yes or no.")],
    )


def _form_data(entry: DiaryEntry | None, saved: SavedDay) -> dict:
    if entry is None:
        return {"meals": [{}]}
    return {
        "headache": entry.headache,
        "intensity": entry.intensity,
        "hours": None if entry.headache_minutes is None else entry.headache_minutes / 60,
        "medication": [k for k in MEDICATION_CLASSES if getattr(entry, f"took_{k}")],
        "stool_types": list(entry.stool_types or []),
        "bloating": entry.bloating,
        "abdominal_pain": entry.abdominal_pain,
        "note": entry.note,
        "meals": [
            {"id": str(m.id), "kind": m.kind, "description": m.description, "tags": [t.code for t in m.tags]}
            for m in saved.meals
        ]
        + [{}],
        "all_meals_logged": entry.all_meals_logged,
        "day_tags": sorted(saved.day_tags),
        "water": entry.water_glasses,
        "sleep_hours": entry.sleep_minutes,
        "sleep_quality": entry.sleep_quality,
        "stress": entry.stress,
        "period": None if entry.period is None else ("yes" if entry.period else "no"),
    }


def day_form(entry: DiaryEntry | None, saved: SavedDay, tags: list[TriggerTag], posted: bool) -> JournalDayForm:
    """The form for one day: as saved (GET), or as sent (POST), with the tag choices the practice offers plus
    any archived tag the day already holds."""
    form = JournalDayForm() if posted else JournalDayForm(data=_form_data(entry, saved))
    active = [t for t in tags if t.archived_at is None]
    held = {t.code: t for m in saved.meals for t in m.tags}
    by_id = {str(m.id): m for m in saved.meals}
    for meal in form.meals:
        own = by_id.get(meal.form.id.data or "")
        extra = [t for t in own.tags if t.archived_at is not None] if own else []
        meal.form.tags.choices = [(t.code, t.label) for t in active if t.tag_group in MEAL_GROUPS] + [
            (t.code, t.label) for t in extra
        ]
    kept_habits = [code for code in saved.day_tags if code not in {t.code for t in active}]
    all_by_code = {t.code: t for t in tags} | held
    form.day_tags.choices = [(t.code, t.label) for t in active if t.tag_group == TagGroup.HABIT] + [
        (code, all_by_code[code].label) for code in kept_habits if code in all_by_code
    ]
    return form


def _read_photo(meal: MealForm) -> bytes | None:
    """The meal's new photo cleaned for storage; None when none was chosen or it was refused (then the error
    is beside the photo field)."""
    upload = meal.photo.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    try:
        return clean_photo(upload.stream.read(MAX_UPLOAD_BYTES + 1))
    except PhotoError as error:
        meal.photo.errors = [*meal.photo.errors, str(error)]
        return None


def day_input(form: JournalDayForm, supplements: list[ProtocolLine], sent: Mapping[str, str]) -> DayJournal | None:
    """The journal part of a validated form, with its photos cleaned; None when a photo was refused."""
    meals, refused = [], False
    for entry in form.meals:
        meal = entry.form
        photo = _read_photo(meal)
        refused = refused or bool(meal.photo.errors)
        raw_id = meal.id.data or ""
        meals.append(
            MealInput(
                id=int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10 else None,
                kind=meal.kind.data or "",
                description=meal.description.data or "",
                tag_codes=frozenset(meal.tags.data or ()),
                photo=photo,
                remove=meal.remove.data,
                remove_photo=meal.remove_photo.data,
            )
        )
    if refused:
        return None
    return DayJournal(
        water_glasses=form.water.data,
        sleep_minutes=form.sleep_hours.data,
        sleep_quality=form.sleep_quality.data,
        stress=form.stress.data,
        period=_yes_no(form.period.data),
        all_meals_logged=form.all_meals_logged.data,
        day_tags=frozenset(form.day_tags.data or ()),
        supplements={line.id: supplement_ticked(sent, line.id) for line in supplements},
        meals=tuple(meals),
    )


def supplement_ticked(sent: Mapping[str, str], line_id: int) -> bool | None:
    """A supplement's tick as sent: taken, not taken, or None (not answered, or anything else sent)."""
    return {"taken": True, "not_taken": False}.get(sent.get(f"supplement-{line_id}", ""))


def diary_fields(form: DiaryForm) -> dict:
    """The headache and gut part of a validated form, as diary_entries.write_entry takes it."""
    return {
        "headache": form.headache.data,
        "intensity": form.intensity.data,
        "headache_minutes": None if form.hours.data is None else round(float(form.hours.data) * 60),
        "medication": set(form.medication.data or ()),
        "stool_types": form.stool_types.data or [],
        "bloating": form.bloating.data,
        "abdominal_pain": form.abdominal_pain.data,
        "note": form.note.data or "",
    }


class TagForm(FlaskForm):
    """One of the practitioner's own tags: its name, and (when added) where it belongs."""

    label = StringField(
        "Tag name",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Give the tag a name, e.g. “Red wine”."),
            Length(max=TAG_LABEL_MAX, message=f"Use at most {TAG_LABEL_MAX} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": TAG_LABEL_MAX},
    )
    group = SelectField(
        "Where it belongs",
        choices=select_choices([(g.value, GROUP_TITLES[g]) for g in OWN_GROUPS]),
        default=TagGroup.FOOD.value,
        validators=[InputRequired("Choose foods, FODMAP groups or habits.")],
    )


class RenameTagForm(FlaskForm):
    label = StringField(
        "New name",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Give the tag a name."),
            Length(max=TAG_LABEL_MAX, message=f"Use at most {TAG_LABEL_MAX} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": TAG_LABEL_MAX},
    )


class ArchiveTagForm(FlaskForm):
    """The CSRF check for archiving a tag or putting it back."""
