"""A client's journal days for the trigger finder, in two queries whatever the length of her diary: one for
the days, one for the tags of their meals and of the days themselves (with each tag's label).

Callers check access first (`client_required` for her own, `get_client_or_404` for the practitioner's)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import union_all

from portal.extensions import db
from portal.models import DiaryDayTag, DiaryEntry, DiaryMeal, DiaryMealTag, TriggerTag
from portal.triggers.finder import JournalDay, Tag, TriggerReport, find_triggers

HISTORY_DAYS = 730  # two years of diary


def journal_days(client_id: int, first_day: date) -> tuple[list[JournalDay], dict[str, Tag]]:
    """Her diary from `first_day` on, oldest first, with each day's tags; and the tags that appear."""
    rows = db.session.execute(
        db.select(
            DiaryEntry.id,
            DiaryEntry.day,
            DiaryEntry.headache,
            DiaryEntry.stool_types,
            DiaryEntry.bloating,
            DiaryEntry.all_meals_logged,
            DiaryEntry.sleep_minutes,
            DiaryEntry.sleep_quality,
            DiaryEntry.stress,
            DiaryEntry.period,
        )
        .filter(DiaryEntry.client_id == client_id, DiaryEntry.day >= first_day)
        .order_by(DiaryEntry.day)
    ).all()
    meal_tags = (
        db.select(DiaryMeal.entry_id.label("entry_id"), DiaryMealTag.tag_id.label("tag_id"))
        .join(DiaryMealTag, DiaryMealTag.meal_id == DiaryMeal.id)
        .join(DiaryEntry, DiaryEntry.id == DiaryMeal.entry_id)
        .filter(DiaryEntry.client_id == client_id, DiaryEntry.day >= first_day)
    )
    day_tags = (
        db.select(DiaryDayTag.entry_id.label("entry_id"), DiaryDayTag.tag_id.label("tag_id"))
        .join(DiaryEntry, DiaryEntry.id == DiaryDayTag.entry_id)
        .filter(DiaryEntry.client_id == client_id, DiaryEntry.day >= first_day)
    )
    both = union_all(meal_tags, day_tags).subquery()
    tag_rows = db.session.execute(
        db.select(both.c.entry_id, TriggerTag.code, TriggerTag.label, TriggerTag.tag_group).join(
            TriggerTag, TriggerTag.id == both.c.tag_id
        )
    ).all()
    tags: dict[str, Tag] = {}
    by_entry: dict[int, set[str]] = {}
    for entry_id, code, label, group in tag_rows:
        tags.setdefault(code, Tag(code, label, group))
        by_entry.setdefault(entry_id, set()).add(code)
    none: frozenset[str] = frozenset()
    days = [
        JournalDay(
            day=row.day,
            headache=row.headache,
            stool_types=tuple(row.stool_types or ()),
            bloating=row.bloating,
            all_meals_logged=bool(row.all_meals_logged),
            tags=frozenset(by_entry[row.id]) if row.id in by_entry else none,
            sleep_minutes=row.sleep_minutes,
            sleep_quality=row.sleep_quality,
            stress=row.stress,
            period=row.period,
        )
        for row in rows
    ]
    return days, tags


def trigger_report(client_id: int, today: date, *, without_period: bool = False) -> TriggerReport:
    """The trigger finder and her cycle over the last two years of her diary."""
    days, tags = journal_days(client_id, today - timedelta(days=HISTORY_DAYS - 1))
    return find_triggers(days, tags, without_period=without_period)


def without_period_asked(raw: str | None) -> bool:
    """The page's "leave out days around her period" link: ?without_period=1; anything else is no."""
    return raw == "1"
