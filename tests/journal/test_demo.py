"""The demo journal really holds the patterns the trigger finder looks for."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from portal.journal.examples import JOURNAL_DAYS, _cycle_day, seed_demo_journal
from portal.journal.meals import saved_day
from portal.models import DiaryEntry

TODAY = date(2026, 12, 3)


def _rate(days: list[bool]) -> float:
    return sum(days) / len(days)


def test_cheese_poor_sleep_dairy_and_the_cycle_show_in_the_demo_diary(client_user):
    seed_demo_journal(client_user, TODAY)
    entries = db.session.execute(db.select(DiaryEntry).order_by(DiaryEntry.day)).scalars().all()
    assert len(entries) == JOURNAL_DAYS >= 120
    by_day = {e.day: e for e in entries}
    cheese = {e.day for e in entries if any(t.code == "aged_cheese" for m in saved_day(e).meals for t in m.tags)}
    dairy = {e.day for e in entries if any(t.code == "dairy" for m in saved_day(e).meals for t in m.tags)}

    def followed(day: date) -> bool:
        return any(
            by_day.get(day + timedelta(days=k)) and by_day[day + timedelta(days=k)].headache == "migraine"
            for k in (1, 2)
        )

    comparable = [e.day for e in entries if e.day + timedelta(days=2) <= TODAY]
    after_cheese = _rate([followed(d) for d in comparable if d in cheese])
    after_other = _rate([followed(d) for d in comparable if d not in cheese])
    assert after_cheese > 2 * after_other
    poor = [e.day for e in entries if e.sleep_quality is not None and e.sleep_quality <= 3 and e.day < TODAY]
    good = [e.day for e in entries if e.sleep_quality is not None and e.sleep_quality > 3 and e.day < TODAY]
    migraine_next = [by_day[d + timedelta(days=1)].headache == "migraine" for d in poor]
    assert _rate(migraine_next) > 1.5 * _rate([by_day[d + timedelta(days=1)].headache == "migraine" for d in good])
    bloated_next = [by_day[d + timedelta(days=1)].bloating >= 6 for d in dairy if d < TODAY]
    others = [by_day[e.day + timedelta(days=1)].bloating >= 6 for e in entries if e.day not in dairy and e.day < TODAY]
    assert _rate(bloated_next) > 0.5 > 0.1 > _rate(others)
    first = entries[0].day
    periods = [e.day for e in entries if e.period and not by_day.get(e.day - timedelta(days=1), e).period]
    assert len(periods) >= 4 and all((b - a).days == 28 for a, b in zip(periods, periods[1:], strict=False))
    window = [e.headache == "migraine" for e in entries if -2 <= _cycle_day((e.day - first).days) <= 3]
    outside = [e.headache == "migraine" for e in entries if not -2 <= _cycle_day((e.day - first).days) <= 3]
    assert _rate(window) > _rate(outside)
    assert sum(e.all_meals_logged for e in entries) > 100


def test_the_demo_journal_is_added_once(client_user):
    seed_demo_journal(client_user, TODAY)
    seed_demo_journal(client_user, TODAY)
    assert db.session.scalar(db.select(db.func.count()).select_from(DiaryEntry)) == JOURNAL_DAYS
