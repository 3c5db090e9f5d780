"""A diary day's journal: its meals with their tags and photos, its own tags, water, sleep, stress, period,
"I logged all my meals today", and a tick for each supplement of her current protocol.

`save_day` writes the whole day (the headache and gut part through questionnaires.diary_entries) in one
transaction, audited without any of its content. Everything is checked before anything is written, so a
refused day changes nothing. None is "not answered" throughout: a scale left alone, a supplement not ticked
either way, a period question skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import selectinload

from portal import audit
from portal.extensions import db
from portal.journal.photos import JPEG, checksum
from portal.journal.tags import all_tags
from portal.models import (
    DiaryDayTag,
    DiaryEntry,
    DiaryMeal,
    DiaryMealPhoto,
    MealKind,
    Protocol,
    ProtocolLine,
    PublishedHandout,
    SupplementDose,
    TagGroup,
    TriggerTag,
    User,
)
from portal.models.handouts import ItemCategory
from portal.models.journal import DESCRIPTION_MAX
from portal.questionnaires.diary_entries import DiaryError, entry_for, write_entry

MAX_MEALS = 12  # a day's meals, snacks and drinks
MAX_WATER_GLASSES = 40
MAX_SLEEP_MINUTES = 24 * 60
MEAL_GROUPS = (TagGroup.FOOD.value, TagGroup.FODMAP.value)


class JournalError(DiaryError):
    """A day that can't be saved; str() says why, `field` names the part of the form it is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MealInput:
    """One meal as the form sends it: an existing meal of the day (id) or a new one (id None)."""

    id: int | None
    kind: str = ""
    description: str = ""
    tag_codes: frozenset[str] = frozenset()
    photo: bytes | None = None  # already cleaned by photos.clean_photo
    remove: bool = False
    remove_photo: bool = False

    @property
    def blank(self) -> bool:
        return not (self.kind or self.description or self.tag_codes or self.photo)


@dataclass(frozen=True)
class DayJournal:
    water_glasses: int | None = None
    sleep_minutes: int | None = None  # the night before
    sleep_quality: int | None = None  # 0 very poor .. 10 very good
    stress: int | None = None  # 0 none .. 10 extreme
    period: bool | None = None
    all_meals_logged: bool = False
    day_tags: frozenset[str] = frozenset()
    supplements: dict[int, bool | None] = field(default_factory=dict)  # protocol line id: taken
    meals: tuple[MealInput, ...] = ()


def current_supplements(client_id: int) -> list[ProtocolLine]:
    """The supplement lines of her current protocol: the protocol of her latest published handout."""
    latest = db.session.execute(
        db.select(PublishedHandout.booking_id)
        .filter_by(client_id=client_id)
        .order_by(PublishedHandout.published_at.desc(), PublishedHandout.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is None:
        return []
    return list(
        db.session.execute(
            db.select(ProtocolLine)
            .join(Protocol)
            .filter(
                Protocol.booking_id == latest,
                Protocol.client_id == client_id,
                ProtocolLine.category == ItemCategory.SUPPLEMENT.value,
            )
            .order_by(ProtocolLine.position, ProtocolLine.id)
        ).scalars()
    )


@dataclass(frozen=True)
class SavedDay:
    """What is saved of one day's journal, for the form and the pages that show it."""

    meals: list[DiaryMeal]
    photo_ids: dict[int, int]  # meal id: photo id
    day_tags: frozenset[str]
    supplements: dict[int, bool]  # protocol line id: taken (lines not ticked are absent)


def saved_day(entry: DiaryEntry | None) -> SavedDay:
    """The day's meals (with tags, in order), photos, day tags and supplement ticks, in four queries."""
    if entry is None or entry.id is None:
        return SavedDay([], {}, frozenset(), {})
    meals = list(
        db.session.execute(
            db.select(DiaryMeal)
            .filter_by(entry_id=entry.id)
            .options(selectinload(DiaryMeal.tags))
            .order_by(DiaryMeal.position, DiaryMeal.id)
        ).scalars()
    )
    photos = db.session.execute(
        db.select(DiaryMealPhoto.meal_id, DiaryMealPhoto.id).filter(DiaryMealPhoto.meal_id.in_([m.id for m in meals]))
    ).all()
    day_tags = db.session.execute(
        db.select(TriggerTag.code)
        .join(DiaryDayTag, DiaryDayTag.tag_id == TriggerTag.id)
        .filter(DiaryDayTag.entry_id == entry.id)
    ).scalars()
    doses = db.session.execute(
        db.select(SupplementDose.protocol_line_id, SupplementDose.taken).filter_by(entry_id=entry.id)
    ).all()
    return SavedDay(
        meals, {meal: photo for meal, photo in photos}, frozenset(day_tags), {line: taken for line, taken in doses}
    )


def _in_range(value: int | None, low: int, high: int, message: str, name: str) -> None:
    if value is not None and not low <= value <= high:
        raise JournalError(message, name)


def _check(journal: DayJournal, meals_by_id: dict[int, DiaryMeal], tags: dict[str, TriggerTag], lines: set[int]):
    _in_range(journal.water_glasses, 0, MAX_WATER_GLASSES, f"Choose from 0 to {MAX_WATER_GLASSES} glasses.", "water")
    _in_range(journal.sleep_minutes, 0, MAX_SLEEP_MINUTES, "Choose from 0 to 24 hours of sleep.", "sleep_hours")
    _in_range(journal.sleep_quality, 0, 10, "Choose from 0 to 10.", "sleep_quality")
    _in_range(journal.stress, 0, 10, "Choose from 0 to 10.", "stress")
    if journal.day_tags - tags.keys():
        raise JournalError("One of the ticked habits is no longer on the list; please tick again.", "day_tags")
    if journal.supplements.keys() - lines:
        raise JournalError("One of the supplements is no longer on your protocol; please tick again.", "supplements")
    kept = [m for m in journal.meals if not m.remove and not (m.id is None and m.blank)]
    if len(kept) > MAX_MEALS:
        raise JournalError(f"A day can hold at most {MAX_MEALS} meals, snacks and drinks.", "meals")
    for meal in journal.meals:
        if meal.id is not None and meal.id not in meals_by_id:
            raise JournalError("That meal is no longer in this day; please reload the page.", "meals")
        if meal.remove or (meal.id is None and meal.blank):
            continue
        if meal.kind not in {k.value for k in MealKind}:
            raise JournalError("Choose breakfast, lunch, dinner, snack or drink.", "meals")
        if len(meal.description) > DESCRIPTION_MAX:
            raise JournalError(f"Describe a meal in at most {DESCRIPTION_MAX} characters.", "meals")
        already = {t.code for t in meals_by_id[meal.id].tags} if meal.id is not None else set()
        for code in meal.tag_codes:
            tag = tags.get(code)
            if code not in already and (tag is None or tag.archived_at is not None or tag.tag_group not in MEAL_GROUPS):
                raise JournalError("One of the ticked foods is no longer on the list; please tick again.", "meals")


def save_day(client: User, day: date, today: date, journal: DayJournal, **diary) -> DiaryEntry:
    """The whole day: the headache and gut fields (`diary`, as diary_entries.write_entry takes them) and the
    journal, in one transaction, audited; JournalError or DiaryError (nothing written) when it can't be."""
    existing = entry_for(client, day)
    meals_by_id = {m.id: m for m in saved_day(existing).meals}
    tags = {t.code: t for t in all_tags(include_archived=True)}
    lines = {line.id for line in current_supplements(client.id)}
    _check(journal, meals_by_id, tags, lines)
    entry = write_entry(client, day, today, **diary)
    entry.water_glasses, entry.sleep_minutes = journal.water_glasses, journal.sleep_minutes
    entry.sleep_quality, entry.stress, entry.period = journal.sleep_quality, journal.stress, journal.period
    entry.all_meals_logged = journal.all_meals_logged
    db.session.flush()

    db.session.execute(db.delete(DiaryDayTag).filter_by(entry_id=entry.id))
    db.session.add_all(DiaryDayTag(entry_id=entry.id, tag_id=tags[code].id) for code in sorted(journal.day_tags))
    doses = {
        d.protocol_line_id: d
        for d in db.session.execute(db.select(SupplementDose).filter_by(entry_id=entry.id)).scalars()
    }
    for line_id, taken in journal.supplements.items():
        dose = doses.get(line_id)
        if taken is None:
            if dose is not None:
                db.session.delete(dose)
        elif dose is None:
            db.session.add(
                SupplementDose(entry_id=entry.id, client_id=client.id, protocol_line_id=line_id, taken=taken)
            )
        else:
            dose.taken = taken
    _write_meals(entry, client, journal.meals, meals_by_id, tags)
    audit.record("change" if existing is not None else "create", client.id, "diary_entry", entry.id)
    db.session.commit()
    return entry


def _write_meals(entry: DiaryEntry, client: User, meals, meals_by_id: dict[int, DiaryMeal], tags) -> None:
    position = max((m.position for m in meals_by_id.values()), default=-1) + 1
    for given in meals:
        if given.id is None and given.blank:
            continue
        if given.remove:
            db.session.delete(meals_by_id[given.id])  # its tags and photo go with it (ON DELETE CASCADE)
            continue
        meal = meals_by_id[given.id] if given.id is not None else None
        if meal is None:
            meal = DiaryMeal(entry_id=entry.id, client_id=client.id, position=position, tags=[])
            position += 1
            db.session.add(meal)
        meal.kind, meal.description = given.kind, given.description
        meal.tags = sorted((tags[c] for c in given.tag_codes), key=lambda t: (t.position, t.id))
        db.session.flush()
        if given.photo is not None or given.remove_photo:
            db.session.execute(db.delete(DiaryMealPhoto).filter_by(meal_id=meal.id))
        if given.photo is not None:
            db.session.add(
                DiaryMealPhoto(
                    meal_id=meal.id,
                    client_id=client.id,
                    content_type=JPEG,
                    size=len(given.photo),
                    checksum=checksum(given.photo),
                    content=given.photo,
                )
            )
