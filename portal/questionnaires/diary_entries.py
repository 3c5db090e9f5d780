"""Saving and reading diary entries, and turning them into the plain days the outcomes are computed from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import compress

from markupsafe import Markup

from portal.extensions import db
from portal.models import DiaryEntry, User
from portal.questionnaires.charts import migraine_gut_timelines
from portal.questionnaires.diary import (
    MEDICATION_CLASSES,
    MONTH_DAYS,
    WINDOW_DAYS,
    Comparison,
    Day,
    GutMigraineLink,
    Overuse,
    Window,
    compare_with_baseline,
    gut_migraine_link,
    overuse,
    window,
)
from portal.questionnaires.diary_words import DiaryWords, diary_words

OLDEST_EDITABLE_DAYS = 365
TIMELINE_SPANS = {28: "4 weeks", 91: "3 months", 182: "6 months", 365: "1 year"}  # days shown: label


class DiaryError(ValueError):
    """An entry that can't be saved; str() says why."""


def entry_for(client: User, day: date) -> DiaryEntry | None:
    return db.session.execute(db.select(DiaryEntry).filter_by(client_id=client.id, day=day)).scalar_one_or_none()


def write_entry(
    client: User,
    day: date,
    today: date,
    *,
    headache: str,
    intensity: int | None,
    headache_minutes: int | None,
    medication: set[str],
    stool_types: list[int],
    bloating: int | None,
    abdominal_pain: int | None,
    note: str,
) -> DiaryEntry:
    """Add or correct the entry for `day` (her local date) in the session, uncommitted; future days and days
    over a year back are refused. A scale left alone is None ("not answered"), never 0; with no headache,
    its intensity, hours and medication are not recorded (the form hides them)."""
    if day > today:
        raise DiaryError("You can't fill in a day that hasn't happened yet.")
    if day < today - timedelta(days=OLDEST_EDITABLE_DAYS):
        raise DiaryError("Days more than a year back can't be changed.")
    if headache == "none":
        intensity, headache_minutes, medication = None, None, set()
    entry = entry_for(client, day) or DiaryEntry(client_id=client.id, day=day)
    entry.headache, entry.intensity, entry.headache_minutes = headache, intensity, headache_minutes
    for kind in MEDICATION_CLASSES:
        setattr(entry, f"took_{kind}", kind in medication)
    entry.stool_types = sorted(stool_types)
    entry.bloating, entry.abdominal_pain, entry.note = bloating, abdominal_pain, note
    db.session.add(entry)
    return entry


def save_entry(client: User, day: date, today: date, **fields) -> DiaryEntry:
    """write_entry, committed: the headache and gut part of a day alone (the journal's save_day does the rest)."""
    entry = write_entry(client, day, today, **fields)
    db.session.commit()
    return entry


_DAY_COLUMNS = (
    DiaryEntry.day,
    DiaryEntry.headache,
    DiaryEntry.intensity,
    DiaryEntry.stool_types,
    DiaryEntry.bloating,
    DiaryEntry.abdominal_pain,
    *(getattr(DiaryEntry, f"took_{kind}") for kind in MEDICATION_CLASSES),
)


@cache
def _medication(took: tuple[bool, ...]) -> frozenset[str]:
    """The classes ticked, from the took_* columns in MEDICATION_CLASSES order (a few combinations, shared)."""
    return frozenset(compress(MEDICATION_CLASSES, took))


def _as_day(row) -> Day:
    """A row of _DAY_COLUMNS as a plain day (a year of them per page: kept cheap)."""
    return Day(
        day=row[0],
        headache=row[1],
        intensity=row[2],
        stool_types=tuple(row[3] or ()),
        bloating=row[4],
        abdominal_pain=row[5],
        medication=_medication(tuple(row[6:])),
    )


def days_since(client_id: int, first_day: date) -> list[Day]:
    """Her diary from `first_day` on as plain days, oldest first: only the columns the figures use (no note,
    so nothing to decrypt, and no ORM objects to build for a year of days)."""
    rows = db.session.execute(
        db.select(*_DAY_COLUMNS)
        .filter(DiaryEntry.client_id == client_id, DiaryEntry.day >= first_day)
        .order_by(DiaryEntry.day)
    ).all()
    return [_as_day(row) for row in rows]


def days_by_client_since(first_day: date, scope=None) -> dict[int, list[Day]]:
    """Every client's diary (those `scope(DiaryEntry.client_id)` allows, when given) from `first_day` on as plain
    days, oldest first, in one query (no notes)."""
    query = db.select(DiaryEntry.client_id, *_DAY_COLUMNS).filter(DiaryEntry.day >= first_day)
    if scope is not None:
        query = query.filter(scope(DiaryEntry.client_id))
    rows = db.session.execute(query.order_by(DiaryEntry.client_id, DiaryEntry.day)).all()
    by_client: dict[int, list[Day]] = {}
    for row in rows:
        by_client.setdefault(row[0], []).append(_as_day(row[1:]))
    return by_client


@dataclass(frozen=True)
class Overview:
    """What the last year of her diary says, for her page and the practitioner's."""

    today: date
    current: Window  # the 28 days up to today
    comparison: Comparison  # the last 28 days against her first 28 diary days (within the last year)
    overuse: Overuse  # the last 30 days
    link: GutMigraineLink
    recent: list[DiaryEntry]  # the last 14 days' entries, newest first
    timeline: Markup  # the last `timeline_days` days as an SVG time line
    timeline_days: int

    @property
    def started(self) -> bool:
        return self.comparison.baseline is not None

    def words(self, whose: str = "your") -> DiaryWords:
        return diary_words(self.comparison, self.overuse, self.current.stool_pattern, self.link, whose)


def timeline_span(raw: str | None) -> int:
    """The time line's length asked for in a link (?span=91), or four weeks."""
    if raw is None:
        return WINDOW_DAYS
    try:
        span = int(raw)
    except ValueError:
        return WINDOW_DAYS
    return span if span in TIMELINE_SPANS else WINDOW_DAYS


@dataclass(frozen=True)
class Glance:
    """The last four weeks of her diary, for her home page: one query of 30 days, no notes decrypted."""

    today: date
    current: Window  # the 28 days up to today
    overuse: Overuse  # the last 30 days
    filled_today: bool
    timeline: Markup


def glance(client_id: int, today: date) -> Glance:
    days = days_since(client_id, today - timedelta(days=MONTH_DAYS - 1))
    return Glance(
        today,
        window(days, today - timedelta(days=WINDOW_DAYS - 1)),
        overuse(days, today),
        any(d.day == today for d in days),
        migraine_gut_timelines(days, today - timedelta(days=WINDOW_DAYS - 1), today),
    )


def overview(client_id: int, today: date, timeline_days: int = WINDOW_DAYS) -> Overview:
    """Everything from two queries: the last year of days, and the last two weeks' entries with their notes."""
    days = days_since(client_id, today - timedelta(days=OLDEST_EDITABLE_DAYS))
    comparison = compare_with_baseline(days, today)
    recent = list(
        db.session.execute(  # the last two weeks with their notes, for the table beside the figures
            db.select(DiaryEntry)
            .filter(
                DiaryEntry.client_id == client_id, DiaryEntry.day > today - timedelta(days=14), DiaryEntry.day <= today
            )
            .order_by(DiaryEntry.day.desc())
        ).scalars()
    )
    timeline = migraine_gut_timelines(days, today - timedelta(days=timeline_days - 1), today)
    return Overview(
        today,
        comparison.current,
        comparison,
        overuse(days, today),
        gut_migraine_link(days),
        recent,
        timeline,
        timeline_days,
    )
