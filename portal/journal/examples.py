"""Demo journal for `flask seed-demo`: eighteen weeks of one client's food, sleep and cycle in which the
pattern the trigger finder looks for is really there. Aged cheese, and short or poor nights, are followed by a
migraine the next day or the one after more often than other days; dairy is followed by bloating of 6 or more
the next day; her period comes every 28 days and migraines cluster from two days before it to three after.
Fixed random draws, so every demo shows the same diary."""

from __future__ import annotations

import random
from datetime import date, timedelta

from portal.extensions import db
from portal.journal.meals import DayJournal, MealInput, save_day
from portal.models import DiaryEntry, User

JOURNAL_DAYS = 126
CYCLE_DAYS = 28
FIRST_PERIOD = 5  # day index of her first cycle day 1
BREAKFASTS = [("Porridge with banana", frozenset()), ("Toast and marmalade", frozenset({"gluten", "citrus"}))]
LUNCHES = [
    ("Rice salad with chicken", frozenset()),
    ("Ham salad sandwich", frozenset({"gluten", "cured_meats"})),
    ("Lentil soup", frozenset({"gos"})),
]
DINNERS = [
    ("Salmon, potatoes and greens", frozenset()),
    ("Pasta with tomato sauce", frozenset({"gluten"})),
    ("Stir-fry with garlic and onion", frozenset({"fructans"})),
]


def _cycle_day(n: int) -> int:
    """Her cycle day (1 on the first day of bleeding) on day index n, counted from the nearest day 1."""
    since = (n - FIRST_PERIOD) % CYCLE_DAYS
    return since + 1 if since < CYCLE_DAYS - 2 else since - CYCLE_DAYS + 1  # -2, -1 before the next day 1


def _plan(rng: random.Random) -> list[dict]:
    """Each day's exposures first, then the migraines and bloating they lead to."""
    days = [
        {
            "cheese": rng.random() < 0.1,
            "dairy": rng.random() < 0.3,
            "poor_sleep": rng.random() < 0.1,
            "late": rng.random() < 0.15,
            "skipped": rng.random() < 0.1,
        }
        for _ in range(JOURNAL_DAYS)
    ]
    for n, day in enumerate(days):
        before = [days[n - k] for k in (1, 2) if n - k >= 0]
        chance = 0.01
        if any(b["cheese"] for b in before):
            chance += 0.5
        if before and before[0]["poor_sleep"]:
            chance += 0.7
        if -2 <= _cycle_day(n) <= 3:
            chance += 0.2
        day["migraine"] = rng.random() < chance
        day["bloated"] = n > 0 and days[n - 1]["dairy"] and rng.random() < 0.75
    return days


def seed_demo_journal(client: User, today: date) -> None:
    """Her journal up to today, unless she has a diary already."""
    if db.session.execute(db.select(DiaryEntry.id).filter_by(client_id=client.id).limit(1)).first() is not None:
        return
    rng = random.Random(20)
    first = today - timedelta(days=JOURNAL_DAYS - 1)
    for n, plan in enumerate(_plan(rng)):
        meals = []
        for kind, choices in (("breakfast", BREAKFASTS), ("lunch", LUNCHES), ("dinner", DINNERS)):
            if kind == "lunch" and plan["skipped"]:
                continue
            description, tags = rng.choice(choices)
            if kind == "lunch" and plan["cheese"]:
                description, tags = "Ploughman's with aged cheddar", frozenset({"aged_cheese", "gluten"})
            meals.append(MealInput(None, kind, description, tags))
        if plan["dairy"]:
            meals.append(MealInput(None, "drink", "Latte", frozenset({"dairy", "lactose", "caffeine"})))
        cycle_day = _cycle_day(n)
        journal = DayJournal(
            water_glasses=rng.randint(3, 9),
            sleep_minutes=rng.choice((300, 330)) if plan["poor_sleep"] else rng.choice((420, 450, 480)),
            sleep_quality=rng.randint(1, 3) if plan["poor_sleep"] else rng.randint(6, 9),
            stress=rng.randint(2, 8),
            period=1 <= cycle_day <= 4,
            all_meals_logged=rng.random() < 0.9,
            day_tags=frozenset({"ate_late"} if plan["late"] else set())
            | ({"skipped_meal"} if plan["skipped"] else set()),
            meals=tuple(meals),
        )
        migraine = plan["migraine"]
        save_day(
            client,
            first + timedelta(days=n),
            today,
            journal,
            headache="migraine" if migraine else "none",
            intensity=rng.randint(6, 9) if migraine else None,
            headache_minutes=rng.choice((240, 360, 600)) if migraine else None,
            medication={"triptan"} if migraine and rng.random() < 0.7 else set(),
            stool_types=[6] if plan["bloated"] and rng.random() < 0.5 else [4],
            bloating=rng.randint(6, 8) if plan["bloated"] else rng.randint(1, 3),
            abdominal_pain=rng.randint(4, 6) if plan["bloated"] else rng.randint(0, 2),
            note="",
        )
