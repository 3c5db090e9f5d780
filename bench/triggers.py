"""How fast the trigger finder reads two years of a full journal: 730 daily entries, 30 tags.

    .venv/bin/python -m bench.triggers                # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.triggers   # wipes it

One client has 730 diary days, every one "all meals logged", three meals a day with 2-4 of 30 tags each (the
18 built-in ones and 12 of the practice's own), sleep, stress and a period every 28 days. Prints the median
time of loading and computing the finder (target: under 50 ms), with the time of the computation alone,
and the SQL queries it takes for that client and for one with 3 days (target: the same number). On PostgreSQL
it runs ANALYZE after filling, as autovacuum would after a bulk load: without statistics the planner takes the
freshly filled tables for nearly empty and re-reads the meal tags once per day (seconds, not milliseconds).
"""

from __future__ import annotations

import os
import random
from datetime import timedelta

from sqlalchemy import text

from bench._setup import environ, fresh_app, seed_practice
from bench.casefile import median_ms
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import DiaryDayTag, DiaryEntry, DiaryMeal, DiaryMealTag, TriggerTag
from portal.triggers import loader
from portal.triggers.finder import find_triggers
from tests.factories import count_queries

DAYS = 730
OWN_TAGS = 12
RUNS = 30


def fill_journal(client_id: int, days: int, seed: int = 20) -> None:
    """`days` days to today as rows, written in bulk."""
    rng = random.Random(seed)
    for n in range(OWN_TAGS):
        db.session.add(TriggerTag(code=f"own_{n}", label=f"Own tag {n}", tag_group="food", position=100 + n))
    db.session.flush()
    tag_ids = list(db.session.execute(db.select(TriggerTag.id)).scalars())
    today = utcnow().date()
    entries = [
        DiaryEntry(
            client_id=client_id,
            day=today - timedelta(days=days - 1 - n),
            headache="migraine" if rng.random() < 0.15 else "none",
            stool_types=[rng.choice((1, 4, 4, 4, 7))],
            bloating=rng.randint(0, 9),
            all_meals_logged=True,
            sleep_minutes=rng.randint(240, 540),
            sleep_quality=rng.randint(0, 10),
            stress=rng.randint(0, 10),
            period=n % 28 < 4,
        )
        for n in range(days)
    ]
    db.session.add_all(entries)
    db.session.flush()
    meals = [
        DiaryMeal(entry_id=e.id, client_id=client_id, kind=kind, description="")
        for e in entries
        for kind in ("breakfast", "lunch", "dinner")
    ]
    db.session.add_all(meals)
    db.session.flush()
    db.session.add_all(
        DiaryMealTag(meal_id=m.id, tag_id=t) for m in meals for t in rng.sample(tag_ids, rng.randint(2, 4))
    )
    db.session.add_all(DiaryDayTag(entry_id=e.id, tag_id=tag_ids[-1]) for e in entries if rng.random() < 0.2)
    db.session.commit()


def main() -> None:
    app = fresh_app(environ())
    with app.app_context():
        _, _, (small, big) = seed_practice(clients=2)
        small_id, big_id = small.id, big.id
        fill_journal(big_id, DAYS)
        today = utcnow().date()
        for e in range(3):
            db.session.add(DiaryEntry(client_id=small_id, day=today - timedelta(days=e)))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load: fresh planner statistics
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        days, tags = loader.journal_days(big_id, today - timedelta(days=loader.HISTORY_DAYS - 1))
        report = loader.trigger_report(big_id, today)
        total = median_ms(lambda: loader.trigger_report(big_id, today), RUNS)
        compute = median_ms(lambda: find_triggers(days, tags), RUNS)
        counted = []
        for who in (small_id, big_id):
            with count_queries() as queries:
                loader.trigger_report(who, today)
            counted.append(queries.count)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"journal: {len(days)} days, {len(tags)} tags, {len(report.migraine)} factors")
    print(f"trigger finder, load + compute (median of {RUNS}): {total:.1f} ms (target < 50 ms)")
    print(f"  of which the computation: {compute:.1f} ms")
    print(f"SQL queries for 3 days and for {DAYS} days: {counted[0]} and {counted[1]}")


if __name__ == "__main__":
    main()
