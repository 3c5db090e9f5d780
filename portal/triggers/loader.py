"""A client's journal days for the trigger finder, in two queries whatever the length of her diary: one for
the days, each with the ids of its meals' and its own tags, and one for the practice's trigger list.

Callers check access first (`client_required` for her own, `get_client_or_404` for the practitioner's)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import String, cast, func

from portal.extensions import db
from portal.models import DiaryDayTag, DiaryEntry, DiaryMeal, DiaryMealTag, TriggerTag
from portal.triggers.finder import JournalDay, Tag, TriggerReport, find_triggers

HISTORY_DAYS = 730  # two years of diary


def journal_days(client_id: int, first_day: date) -> tuple[list[JournalDay], dict[str, Tag]]:
    """Her diary from `first_day` on, oldest first, with each day's tags; and the tags that appear."""
    mine = (DiaryEntry.client_id == client_id, DiaryEntry.day >= first_day)
    # Each day's tag ids as "3,7,12" by a correlated subquery (an index lookup per day): one row per day, and a
    # plan that does not depend on the planner's row estimates (a join to a grouped subquery did, on PostgreSQL).
    meal_tag_ids = (
        db.select(func.aggregate_strings(cast(DiaryMealTag.tag_id, String), ","))
        .join(DiaryMeal, DiaryMeal.id == DiaryMealTag.meal_id)
        .where(DiaryMeal.entry_id == DiaryEntry.id)
        .correlate(DiaryEntry)
        .scalar_subquery()
    )
    day_tag_ids = (
        db.select(func.aggregate_strings(cast(DiaryDayTag.tag_id, String), ","))
        .where(DiaryDayTag.entry_id == DiaryEntry.id)
        .correlate(DiaryEntry)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(
            DiaryEntry.day,
            DiaryEntry.headache,
            DiaryEntry.stool_types,
            DiaryEntry.bloating,
            DiaryEntry.all_meals_logged,
            DiaryEntry.sleep_minutes,
            DiaryEntry.sleep_quality,
            DiaryEntry.stress,
            DiaryEntry.period,
            meal_tag_ids.label("meal_tag_ids"),
            day_tag_ids.label("day_tag_ids"),
        )
        .filter(*mine)
        .order_by(DiaryEntry.day)
    ).all()
    codes = {  # the whole trigger list: a few dozen rows
        str(tag_id): Tag(code, label, group)
        for tag_id, code, label, group in db.session.execute(
            db.select(TriggerTag.id, TriggerTag.code, TriggerTag.label, TriggerTag.tag_group)
        )
    }
    by_ids: dict[str, frozenset[str]] = {}  # the same set of tags on many days: built once
    days = []
    for row in rows:
        ids = f"{row.meal_tag_ids or ''},{row.day_tag_ids or ''}"
        tags = by_ids.get(ids)
        if tags is None:
            tags = by_ids[ids] = frozenset(codes[i].code for i in ids.split(",") if i in codes)
        days.append(
            JournalDay(
                day=row.day,
                headache=row.headache,
                stool_types=tuple(row.stool_types or ()),
                bloating=row.bloating,
                all_meals_logged=bool(row.all_meals_logged),
                tags=tags,
                sleep_minutes=row.sleep_minutes,
                sleep_quality=row.sleep_quality,
                stress=row.stress,
                period=row.period,
            )
        )
    used = {code for tags in by_ids.values() for code in tags}
    return days, {t.code: t for t in codes.values() if t.code in used}


def trigger_report(client_id: int, today: date, *, without_period: bool = False) -> TriggerReport:
    """The trigger finder and her cycle over the last two years of her diary."""
    days, tags = journal_days(client_id, today - timedelta(days=HISTORY_DAYS - 1))
    return find_triggers(days, tags, without_period=without_period)


def without_period_asked(raw: str | None) -> bool:
    """The page's "leave out days around her period" link: ?without_period=1; anything else is no."""
    return raw == "1"
