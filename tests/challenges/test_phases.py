"""phase_on: the phase a day falls in and what to do, at every edge. App-free."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.challenges.plans import START, Plan
from portal.challenges.phases import Phase, ends_on, last_day, phase_on, phase_span


def on(n: int, plan: Plan | None = None):
    """The phase on day n of the challenge (1 = its first day; 0 = the day before)."""
    return phase_on(plan or Plan(), START + timedelta(days=n - 1))


def test_the_day_before_it_starts_says_tomorrow_and_nothing_is_avoided():
    today = on(0)
    assert today.phase == Phase.BEFORE and not today.avoid_today and not today.running
    assert today.headline == "Your dairy challenge starts tomorrow"
    assert "no dairy for 21 days" in today.what_to_do


def test_a_week_before_it_names_the_day():
    assert on(-6).headline == "Your dairy challenge starts on Monday 2 March"


@pytest.mark.parametrize(("n", "k"), [(1, 1), (5, 5), (21, 21)])
def test_elimination_counts_its_days(n, k):
    today = on(n)
    assert today.phase == Phase.ELIMINATE and today.avoid_today
    assert today.headline == f"Day {k} of 21 without dairy"
    assert today.what_to_do == "Leave out all dairy today."


@pytest.mark.parametrize(("n", "k"), [(22, 1), (24, 3)])
def test_reintroduction_follows_elimination(n, k):
    today = on(n)
    assert today.phase == Phase.REINTRODUCE and not today.avoid_today
    assert today.headline == f"Day {k} of 3: dairy back in"
    assert today.what_to_do.startswith("Today: have a normal portion of dairy")


@pytest.mark.parametrize(("n", "k"), [(25, 1), (28, 4)])
def test_watching_follows_reintroduction(n, k):
    today = on(n)
    assert today.phase == Phase.WATCH and today.avoid_today
    assert (today.day_number, today.phase_days) == (k, 4)
    assert today.what_to_do == "Watch: no dairy, note how you feel."


def test_the_day_after_the_watch_it_has_ended():
    assert last_day(Plan()) == START + timedelta(days=27)
    today = on(29)
    assert today.phase == Phase.ENDED and today.headline == "Your dairy challenge has ended"


def test_a_stopped_challenge_ends_the_day_after_it_was_stopped():
    plan = Plan(stopped_on=START + timedelta(days=9))
    assert ends_on(plan) == START + timedelta(days=9)
    assert on(10, plan).phase == Phase.ELIMINATE
    stopped = on(11, plan)
    assert stopped.phase == Phase.ENDED and stopped.headline == "Your dairy challenge was stopped"


def test_stopped_on_its_last_day_reads_as_ended_not_stopped():
    plan = Plan(stopped_on=START + timedelta(days=27))
    assert on(29, plan).headline == "Your dairy challenge has ended"


def test_the_shortest_plan_has_one_day_of_each_later_phase():
    plan = Plan(eliminate_days=7, reintroduce_days=1, watch_days=1)
    assert phase_span(plan, Phase.REINTRODUCE) == (START + timedelta(days=7),) * 2
    assert [on(n, plan).phase for n in (7, 8, 9, 10)] == [Phase.ELIMINATE, Phase.REINTRODUCE, Phase.WATCH, Phase.ENDED]


def test_the_practitioner_reads_it_as_hers():
    assert phase_on(Plan(), START, "her").headline == "Day 1 of 21 without dairy"
    assert phase_on(Plan(), START + timedelta(days=40), "her").headline == "Her dairy challenge has ended"
