"""The protocol's effect as pure functions: 28 days before the session against the latest 28, the responder
rule, questionnaire changes against their minimal important changes, and adherence by week. App-free."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from portal.challenges.effect import (
    ScoreChange,
    adherence_weeks,
    after_window,
    before_window,
    protocol_effect,
    responder_words,
    score_changes,
    score_words,
)
from portal.questionnaires.diary import Day

SESSION = date(2026, 3, 3)


def days_between(first: date, count: int, migraine_every: int | None = None, **values) -> list[Day]:
    return [
        Day(
            first + timedelta(days=n),
            headache="migraine" if migraine_every and n % migraine_every == 0 else "none",
            **values,
        )
        for n in range(count)
    ]


def before(count: int = 28, migraine_every: int | None = None) -> list[Day]:
    return days_between(SESSION - timedelta(days=28), count, migraine_every)


def effect(days: list[Day], today: date, scored=(), ticks=(), has_supplements=False):
    return protocol_effect(SESSION, "Follow-up, 3 March 2026", days, list(scored), list(ticks), has_supplements, today)


def test_the_before_period_is_the_28_days_up_to_the_day_before_the_session():
    window = before_window([], SESSION)
    assert (window.first_day, window.last_day) == (SESSION - timedelta(days=28), SESSION - timedelta(days=1))


def test_the_latest_period_never_reaches_back_before_the_session():
    assert after_window([], SESSION, SESSION - timedelta(days=1)) is None
    short = after_window([], SESSION, SESSION + timedelta(days=9))
    assert (short.first_day, short.length) == (SESSION, 10)
    full = after_window([], SESSION, SESSION + timedelta(days=60))
    assert (full.first_day, full.length) == (SESSION + timedelta(days=33), 28)


def test_rates_are_per_28_days_over_the_days_filled_in():
    days = days_between(SESSION - timedelta(days=28), 14, migraine_every=2)  # 7 migraines in 14 days filled in
    result = effect(days, SESSION + timedelta(days=40))
    assert result.before.migraine == Fraction(14) and result.before.headache == Fraction(14)
    assert result.after is not None and result.after.migraine is None  # nothing filled in since: unknown, not 0


def test_half_the_migraine_days_is_a_responder():
    today = SESSION + timedelta(days=40)
    latest = days_between(today - timedelta(days=27), 28, migraine_every=4)  # 7 per 28
    responder = effect(before(migraine_every=2) + latest, today)  # 14 per 28 before
    assert responder.comparison.outcome == "responder" and not responder.too_soon
    assert "a response" in responder_words(responder)


def test_a_little_under_half_fewer_is_not_a_responder():
    today = SESSION + timedelta(days=40)
    latest = days_between(today - timedelta(days=27), 28, migraine_every=3)  # 10 per 28
    result = effect(before(migraine_every=2) + latest, today)
    assert result.comparison.outcome == "not_responder"
    assert "not yet the half fewer" in responder_words(result)


def test_too_few_days_before_gives_no_verdict_unless_the_recorded_ones_already_halve():
    today = SESSION + timedelta(days=40)
    latest = days_between(today - timedelta(days=27), 28, migraine_every=4)  # 7 per 28
    result = effect(before(count=20, migraine_every=4) + latest, today)  # 5 recorded migraines in 20 of 28 days
    assert result.comparison.outcome == "baseline_incomplete"
    assert "Only 20 of the 28 days before" in responder_words(result)


def test_too_few_days_lately_gives_no_verdict():
    today = SESSION + timedelta(days=40)
    latest = days_between(today - timedelta(days=27), 20)
    result = effect(before(migraine_every=2) + latest, today)
    assert result.comparison.outcome == "current_incomplete"


def test_under_28_days_since_the_session_is_too_soon():
    today = SESSION + timedelta(days=26)
    result = effect(before(migraine_every=2), today)
    assert result.too_soon and result.comparison is None
    assert "27 days after" not in responder_words(result) and "on 30 March 2026" in responder_words(result)
    assert not effect(before(), SESSION + timedelta(days=27)).too_soon


@pytest.mark.parametrize(
    ("code", "before", "after", "verdict"),
    [
        ("ibs_sss", 300, 250, "better"),  # 50 points: the minimal important change
        ("ibs_sss", 300, 251, "no_meaningful_change"),
        ("ibs_sss", 250, 300, "worse"),
        ("hit6", 64, 58, "better"),  # 6 points
        ("hit6", 64, 59, "no_meaningful_change"),
        ("midas", 30, 10, "no_threshold"),
        ("gsrs", 4.2, 2.1, "no_threshold"),
    ],
)
def test_score_changes_against_their_minimal_important_change(code, before, after, verdict):
    change = ScoreChange(code, before, date(2026, 2, 1), after, date(2026, 4, 1))
    assert change.verdict == verdict


def test_a_score_without_a_threshold_says_so_rather_than_judging():
    words = score_words(ScoreChange("midas", 30, date(2026, 2, 1), 10, date(2026, 4, 1)))
    assert "20 lower" in words and "no verdict" in words


def test_the_latest_score_before_and_the_latest_since_are_compared_one_per_group():
    scored = [
        ("hit6", date(2026, 1, 6), 64.0),
        ("hit6", date(2026, 2, 20), 61.0),
        ("midas", date(2026, 2, 20), 30.0),  # MIDAS has no score since: HIT-6, which has both, is shown
        ("hit6", SESSION, 55.0),  # the session's own day counts as since
        ("ibs_sss", date(2026, 2, 1), 280.0),
    ]
    changes = score_changes(scored, SESSION)
    assert [(c.code, c.before, c.after) for c in changes] == [("hit6", 61.0, 55.0), ("ibs_sss", 280.0, None)]
    assert changes[1].verdict == "missing"


def test_adherence_is_taken_of_answered_ticks_per_week_beside_headache_days():
    ticks = [(SESSION + timedelta(days=n), n % 2 == 0) for n in range(10)]  # week 1: 4 of 7, week 2: 1 of 3
    days = days_between(SESSION, 10, migraine_every=3)  # migraine on days 0, 3, 6, 9
    weeks = adherence_weeks(ticks, days, SESSION, SESSION + timedelta(days=9))
    assert [(w.week, w.taken, w.answered, w.headache_days, w.recorded_days) for w in weeks] == [
        (1, 4, 7, 3, 7),
        (2, 1, 3, 1, 3),
    ]
    assert weeks[1].share == Fraction(1, 3)


def test_a_week_without_ticks_has_no_share_rather_than_zero():
    weeks = adherence_weeks([], [], SESSION, SESSION + timedelta(days=3))
    assert len(weeks) == 1 and weeks[0].share is None
