"""Each phase's figures: days recorded, migraine rate only when complete, means over answered days only,
abnormal-stool share, and what she ate. App-free."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from tests.challenges.plans import START, Plan
from portal.challenges.phases import Phase
from portal.challenges.results import ChallengeDiaryDay, challenge_results


def day(n: int, **values) -> ChallengeDiaryDay:
    return ChallengeDiaryDay(START + timedelta(days=n - 1), **values)


AFTER_END = START + timedelta(days=40)


def test_the_three_phases_come_side_by_side_with_their_lengths():
    results = challenge_results(Plan(), [], {}, AFTER_END)
    assert [(r.phase, r.days) for r in results] == [(Phase.ELIMINATE, 21), (Phase.REINTRODUCE, 3), (Phase.WATCH, 4)]


def test_missing_days_are_never_good_days_the_rate_needs_three_quarters_of_the_phase():
    fifteen = [day(n, headache="migraine" if n == 1 else "none") for n in range(1, 16)]  # 15 of 21: too few
    elimination = challenge_results(Plan(), fifteen, {}, AFTER_END)[0]
    assert elimination.recorded_days == 15 and not elimination.complete and elimination.migraine_rate is None
    sixteen = [*fifteen, day(16)]  # 16 of 21 = ceil(0.75 * 21): enough
    elimination = challenge_results(Plan(), sixteen, {}, AFTER_END)[0]
    assert elimination.complete and elimination.migraine_rate == Fraction(28, 16)


def test_intensity_is_the_mean_over_headache_days_that_gave_one():
    days = [
        day(1, headache="migraine", intensity=8),
        day(2, headache="headache", intensity=4),
        day(3, headache="headache", intensity=None),  # not answered: left out, not 0
        day(4, headache="none", intensity=None),
    ]
    elimination = challenge_results(Plan(), days, {}, AFTER_END)[0]
    assert elimination.headache_days == 3 and elimination.intensities == (8, 4) and elimination.mean_intensity == 6


def test_bloating_is_the_mean_of_the_days_it_was_answered():
    days = [day(1, bloating=2), day(2, bloating=None), day(3, bloating=7), day(4, bloating=6)]
    elimination = challenge_results(Plan(), days, {}, AFTER_END)[0]
    assert elimination.bloating_answers == (2, 7, 6) and elimination.mean_bloating == 5
    assert elimination.marked_bloating_days == 2


def test_nothing_answered_gives_no_mean_rather_than_zero():
    elimination = challenge_results(Plan(), [day(1)], {}, AFTER_END)[0]
    assert elimination.mean_bloating is None and elimination.mean_intensity is None
    assert elimination.abnormal_stool_share is None


def test_abnormal_stools_are_bristol_1_2_and_6_7_among_the_stools_recorded():
    days = [day(1, stool_types=(1, 2, 3)), day(2, stool_types=(5, 6)), day(3, stool_types=(7,)), day(4)]
    elimination = challenge_results(Plan(), days, {}, AFTER_END)[0]
    assert (elimination.abnormal_stools, elimination.stools) == (4, 6)
    assert elimination.abnormal_stool_share == Fraction(2, 3)


def test_what_she_ate_is_counted_per_phase_from_her_answers():
    answers = {START + timedelta(days=n): n in (3, 9) for n in range(19)}  # 19 answers, yes on 2 days
    answers |= {START + timedelta(days=21): True, START + timedelta(days=22): True}
    elimination, reintroduction, watch = challenge_results(Plan(), [], answers, AFTER_END)
    assert (elimination.ate_days, elimination.answered_days, elimination.days) == (2, 19, 21)
    assert (reintroduction.ate_days, reintroduction.answered_days) == (2, 2)
    assert watch.answered_days == 0


def test_a_running_challenge_counts_only_the_days_so_far():
    today = START + timedelta(days=4)  # day 5
    elimination, reintroduction, watch = challenge_results(Plan(), [day(1), day(5), day(6)], {}, today)
    assert (elimination.days, elimination.recorded_days) == (5, 2)
    assert reintroduction.days == 0 and watch.days == 0 and not reintroduction.complete


def test_a_stopped_challenge_counts_nothing_after_its_last_day():
    plan = Plan(stopped_on=START + timedelta(days=9))
    elimination, reintroduction, _ = challenge_results(plan, [day(n) for n in range(1, 25)], {}, AFTER_END)
    assert (elimination.days, elimination.recorded_days) == (10, 10) and reintroduction.days == 0
