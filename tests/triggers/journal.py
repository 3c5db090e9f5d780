"""A journal with a pattern, written as model rows (the diary form is another area's): aged cheese two days
before each migraine, dairy the day before each bad gut day, and a period every 28 days with a migraine on
its first day."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from portal.models import DiaryDayTag, DiaryEntry, DiaryMeal, DiaryMealTag, TriggerTag, User


def tag_ids(*codes: str) -> dict[str, int]:
    rows = db.session.execute(db.select(TriggerTag.code, TriggerTag.id).filter(TriggerTag.code.in_(codes)))
    return dict(rows.tuples().all())


def fill_journal(client: User, today: date, length: int = 120, *, periods: bool = True) -> None:
    ids = tag_ids("aged_cheese", "dairy", "caffeine", "skipped_meal")
    first = today - timedelta(days=length - 1)
    for n in range(length):
        day = first + timedelta(days=n)
        period_day = periods and n % 28 in (3, 4, 5, 6)
        migraine = n % 6 == 2 or (periods and n % 28 == 3)
        entry = DiaryEntry(
            client_id=client.id,
            day=day,
            headache="migraine" if migraine else "none",
            intensity=7 if migraine else 0,
            stool_types=[7] if n % 5 == 1 else [4],
            bloating=2,
            all_meals_logged=n % 10 != 9,
            sleep_minutes=330 if n % 4 == 0 else 450,
            sleep_quality=6,
            stress=3,
            period=period_day,
        )
        db.session.add(entry)
        db.session.flush()
        meal = DiaryMeal(entry_id=entry.id, client_id=client.id, kind="lunch", description="lunch")
        db.session.add(meal)
        db.session.flush()
        tags = {"caffeine"}
        if n % 6 == 0:
            tags.add("aged_cheese")
        if n % 5 == 0:
            tags.add("dairy")
        db.session.add_all(DiaryMealTag(meal_id=meal.id, tag_id=ids[code]) for code in tags)
        if n % 7 == 0:
            db.session.add(DiaryDayTag(entry_id=entry.id, tag_id=ids["skipped_meal"]))
    db.session.commit()
