"""Headache-diary outcomes, medication overuse (ICHD-3 8.2), responders, the Rome IV stool pattern and the
migraine-gut link, from plain days: both sides of every edge, with gaps, overlaps and incomplete periods."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from portal.questionnaires.diary import (
    Day,
    compare_with_baseline,
    days_needed,
    gut_migraine_link,
    overuse,
    stool_pattern,
    window,
    windows,
)

START = date(2030, 1, 1)
TRIPTAN, SIMPLE = frozenset({"triptan"}), frozenset({"simple"})


def on(n: int) -> date:
    return START + timedelta(days=n)


def days(n: int, first: int = 0, **each) -> list[Day]:
    return [Day(on(first + i), **each) for i in range(n)]


def diary_period(first: int, recorded: int, migraines: int) -> list[Day]:
    """`recorded` days filled in from day `first`, the first `migraines` of them migraine days."""
    return [Day(on(first + i), "migraine" if i < migraines else "none") for i in range(recorded)]


# Windows -------------------------------------------------------------------------------------------------------


def test_a_window_counts_migraine_headache_and_medication_days():
    diary = [Day(START, "migraine", 8, TRIPTAN), Day(on(1), "headache", 4, SIMPLE), Day(on(2)), Day(on(28), "migraine")]
    first = window(diary, START)
    assert (first.recorded_days, first.migraine_days, first.headache_days) == (3, 1, 2)
    assert first.medication_days["triptan"] == 1 and first.medication_days["simple"] == 1
    assert first.acute_medication_days == 2 and first.last_day == on(27) and first.missing_days == 25
    assert window(diary, on(28)).migraine_days == 1  # day 29 is the next window


def test_a_rate_is_per_28_days_over_the_days_filled_in():
    assert window(diary_period(0, 20, 5), START).migraine_rate == 7  # 5 on 20 days is 7 per 28
    assert window(diary_period(0, 28, 5), START).migraine_rate == 5
    assert window([], START).migraine_rate is None


def test_a_window_is_complete_from_21_of_its_28_days():
    assert days_needed(28) == 21 and days_needed(30) == 23
    assert not window(days(20), START).complete
    assert window(days(21), START).complete


def test_windows_run_from_the_first_diary_day():
    diary = diary_period(0, 28, 7) + diary_period(28, 28, 4)
    first, second = windows(diary, on(55))
    assert (first.first_day, second.first_day) == (START, on(28))
    assert (first.migraine_days, second.migraine_days) == (7, 4)
    assert windows([], START) == []


# Medication overuse -------------------------------------------------------------------------------------------

TODAY = on(29)  # the 30 days to TODAY are days 0 to 29


def month(medicated: dict[frozenset[str], int], recorded: int = 30) -> list[Day]:
    """`recorded` days to TODAY, the first ones taking each class for its number of days, one class after another."""
    taken = [classes for classes, n in medicated.items() for _ in range(n)]
    return [
        Day(TODAY - timedelta(days=recorded - 1 - i), medication=taken[i] if i < len(taken) else frozenset())
        for i in range(recorded)
    ]


@pytest.mark.parametrize(
    ("kind", "limit"), [("triptan", 10), ("ergot", 10), ("opioid", 10), ("combination", 10), ("simple", 15)]
)
def test_each_class_is_overused_from_its_own_ichd3_threshold(kind, limit):
    below, at = overuse(month({frozenset({kind}): limit - 1}), TODAY), overuse(month({frozenset({kind}): limit}), TODAY)
    assert (below.overuse, below.status) == (False, "none")
    assert (at.overuse, at.overused, at.status) == (True, (kind,), "overuse")


def test_several_classes_none_overused_alone_are_overuse_from_10_days_in_all():
    # ICHD-3 8.2.6: a triptan on 6 days and ibuprofen on 6 others
    mixed = overuse(month({TRIPTAN: 6, SIMPLE: 6}), TODAY)
    assert mixed.overused == ("several",) and mixed.any_medication_days == 12
    assert overuse(month({TRIPTAN: 5, SIMPLE: 5}), TODAY).overused == ("several",)  # exactly 10 days
    assert not overuse(month({TRIPTAN: 5, SIMPLE: 4}), TODAY).overuse  # 9 days
    assert overuse(month({SIMPLE: 9, frozenset({"opioid"}): 1}), TODAY).overused == ("several",)


def test_alternating_classes_count_days_not_doses():
    alternating = [Day(TODAY - timedelta(days=i), medication=TRIPTAN if i % 2 else SIMPLE) for i in range(10)]
    assert overuse(alternating + days(20, first=0), TODAY).overused == ("several",)
    both_on_the_same_days = [Day(TODAY - timedelta(days=i), medication=TRIPTAN | SIMPLE) for i in range(9)]
    assert not overuse(both_on_the_same_days + days(21, first=0), TODAY).overuse  # 9 days, however many tablets


def test_one_class_below_its_threshold_is_not_several_classes():
    assert not overuse(month({SIMPLE: 14}), TODAY).overuse  # simple painkillers alone need 15 days
    assert overuse(month({TRIPTAN: 10, SIMPLE: 3}), TODAY).overused == ("triptan",)  # a class overused alone


def test_overuse_looks_at_the_last_30_days_not_28():
    ten_days = [Day(TODAY - timedelta(days=29 - i), medication=TRIPTAN) for i in range(10)]  # days 0-9
    assert overuse(ten_days + days(20, first=10), TODAY).overuse
    assert not overuse(ten_days + days(20, first=10), TODAY + timedelta(days=1)).overuse  # day 0 has left the month


def test_gaps_never_rule_overuse_out():
    assert overuse(month({TRIPTAN: 2}, recorded=22), TODAY).status == "unknown"  # 22 of 30 days filled in
    assert overuse(month({TRIPTAN: 2}, recorded=23), TODAY).status == "none"
    sparse_but_certain = overuse(month({TRIPTAN: 10}, recorded=10), TODAY)
    assert sparse_but_certain.status == "overuse"  # recorded days are a floor: overuse found is overuse
    assert overuse([], TODAY).status == "unknown"


def test_overuse_over_a_leap_day_and_a_month_end():
    today = date(2028, 3, 1)
    diary = [Day(today - timedelta(days=i), medication=TRIPTAN if i < 10 else frozenset()) for i in range(30)]
    found = overuse(diary, today)
    assert found.first_day == date(2028, 2, 1) and found.recorded_days == 30 and found.overuse
    assert date(2028, 2, 29) in {d.day for d in diary}


def test_days_across_a_clock_change_are_whole_days():
    # Clocks went forward in the UK on 29 March 2026: diary days are her local dates, so the month is 30 days.
    today = date(2026, 4, 10)
    found = overuse([Day(today - timedelta(days=i)) for i in range(40)], today)
    assert found.first_day == date(2026, 3, 12) and found.recorded_days == 30


# Responders ---------------------------------------------------------------------------------------------------


def test_a_responder_has_at_most_half_the_baseline_rate():
    baseline = diary_period(0, 28, 8)
    assert compare_with_baseline(baseline + diary_period(28, 28, 4), on(55)).outcome == "responder"  # exactly half
    assert compare_with_baseline(baseline + diary_period(28, 28, 5), on(55)).outcome == "not_responder"


def test_rates_are_compared_exactly():
    baseline = diary_period(0, 21, 7)  # 28/3 per 28 days
    assert compare_with_baseline(baseline + diary_period(28, 24, 4), on(55)).outcome == "responder"  # 14/3: half
    assert compare_with_baseline(baseline + diary_period(28, 23, 4), on(55)).outcome == "not_responder"


def test_days_not_filled_in_during_a_bad_spell_are_not_read_as_migraine_free():
    baseline = diary_period(0, 28, 8)
    # She stopped filling in: 3 migraines on 10 days (raw 3 is under half of 8, the rate is 8.4 per 28 days)
    stopped = compare_with_baseline(baseline + diary_period(28, 10, 3), on(55))
    assert stopped.outcome == "current_incomplete" and stopped.current.recorded_days == 10
    # 4 migraines on 21 days: raw 4 is half of 8, the rate 5.3 per 28 days is not
    assert compare_with_baseline(baseline + diary_period(28, 21, 4), on(55)).outcome == "not_responder"


def test_the_current_period_needs_21_of_28_days():
    baseline = diary_period(0, 28, 8)
    assert compare_with_baseline(baseline + diary_period(28, 20, 0), on(55)).outcome == "current_incomplete"
    assert compare_with_baseline(baseline + diary_period(28, 21, 0), on(55)).outcome == "responder"


def test_an_incomplete_baseline_does_not_hide_a_real_responder():
    baseline = diary_period(0, 10, 6)  # at least 6 migraine days in her first 28, perhaps more
    found = compare_with_baseline(baseline + diary_period(28, 28, 3), on(55))
    assert found.outcome == "responder"
    assert compare_with_baseline(baseline + diary_period(28, 28, 4), on(55)).outcome == "baseline_incomplete"
    assert compare_with_baseline(diary_period(0, 10, 0) + diary_period(28, 28, 0), on(55)).outcome == (
        "baseline_incomplete"
    )


def test_the_current_period_starts_after_the_baseline_ends():
    diary = diary_period(0, 28, 8) + diary_period(28, 40, 0)
    overlapping = compare_with_baseline(diary, on(54))  # the last 28 days start on day 27, the baseline's last
    assert overlapping.outcome == "too_soon" and overlapping.next_possible == on(55)
    assert compare_with_baseline(diary, on(55)).outcome == "responder"  # days 28-55 share none of days 0-27


def test_a_month_of_diary_is_not_compared_with_itself():
    diary = diary_period(0, 35, 8)
    assert compare_with_baseline(diary, on(34)).outcome == "too_soon"


def test_no_migraines_to_halve_and_no_diary():
    assert compare_with_baseline(diary_period(0, 28, 0) + diary_period(28, 28, 0), on(55)).outcome == (
        "no_baseline_migraines"
    )
    assert compare_with_baseline([], on(55)).outcome == "no_diary"


def test_the_fall_is_a_share_of_the_baseline_rate():
    found = compare_with_baseline(diary_period(0, 28, 8) + diary_period(28, 28, 2), on(55))
    assert found.fall == Fraction(3, 4)
    assert compare_with_baseline(diary_period(0, 28, 4) + diary_period(28, 28, 6), on(55)).fall == Fraction(-1, 2)
    assert compare_with_baseline(diary_period(0, 28, 8) + diary_period(28, 10, 2), on(55)).fall is None


def test_the_comparison_over_a_leap_day():
    first = date(2028, 2, 1)
    diary = [Day(first + timedelta(days=i), "migraine" if i % 4 == 0 else "none") for i in range(56)]
    found = compare_with_baseline(diary, first + timedelta(days=55))
    assert found.baseline.last_day == date(2028, 2, 28) and found.current.first_day == date(2028, 2, 29)
    assert found.outcome == "not_responder"


# Stool pattern (Rome IV) --------------------------------------------------------------------------------------


def stools(*per_day: tuple[int, ...]) -> list[Day]:
    return [Day(on(i), stool_types=types) for i, types in enumerate(per_day)]


def test_normal_days_do_not_dilute_the_pattern():
    diary = stools(*[(7,)] * 5, *[(4,)] * 23)  # loose on 5 days: 18% of all stools, all of the abnormal days'
    pattern = stool_pattern(diary)
    assert pattern.subtype == "IBS-D" and (pattern.stool_days, pattern.abnormal_days, pattern.stools_counted) == (
        28,
        5,
        5,
    )


def test_an_abnormal_days_normal_stools_count_too():
    assert stool_pattern(stools(*[(7, 4, 4)] * 4)).subtype == "IBS-D"  # a third loose
    assert stool_pattern(stools(*[(7, 4, 4, 4)] * 4)).subtype == "IBS-U"  # exactly a quarter is not more


@pytest.mark.parametrize(
    ("per_day", "subtype"),
    [
        ([(1, 2, 4)] * 3, "IBS-C"),
        ([(1, 1, 4), (7, 4, 4, 4)], "IBS-C"),  # hard 2 in 7 (29%), loose 1 in 7 (14%)
        ([(1, 4, 4, 4), (7, 7, 4)], "IBS-D"),  # hard 1 in 7, loose 2 in 7
        ([(1, 7)] * 3, "IBS-M"),
        ([(1, 1, 7, 4)] * 2, "IBS-U"),  # half hard but exactly a quarter loose: neither C (under a quarter) nor M
    ],
)
def test_the_quarter_rule_on_abnormal_days(per_day, subtype):
    assert stool_pattern(stools(*per_day)).subtype == subtype


def test_no_stools_no_pattern_and_only_normal_stools_no_subtype_to_find():
    assert stool_pattern(days(28)).subtype is None
    normal = stool_pattern(stools(*[(4,)] * 10))
    assert normal.subtype == "IBS-U" and normal.abnormal_days == 0


def test_a_window_carries_its_stool_pattern():
    assert window(stools(*[(7,)] * 5, *[(4,)] * 23), START).stool_pattern.subtype == "IBS-D"


# The migraine-gut link ----------------------------------------------------------------------------------------


def test_a_bad_gut_day_is_a_hard_or_loose_stool_or_strong_bloating():
    assert Day(START, stool_types=(4, 1)).bad_gut and Day(START, stool_types=(7,)).bad_gut
    assert Day(START, bloating=6).bad_gut and not Day(START, bloating=5, stool_types=(3, 4, 5)).bad_gut


def test_the_migraine_gut_link_compares_bad_gut_days_with_the_other_days():
    diary = []
    for i in range(30):
        bad = i % 5 == 0  # days 0, 5, 10 ... are bad gut days, each followed by a migraine 2 days later
        migraine = i % 5 == 2
        diary.append(Day(on(i), "migraine" if migraine else "none", stool_types=(1,) if bad else (4,)))
    link = gut_migraine_link(diary)
    assert link.enough_data and link.recorded_days == 30
    assert (link.bad_gut_days, link.bad_gut_days_followed) == (6, 6)  # days 0 ... 25 have two days after them
    assert link.comparable_days == 28 and link.other_days == 22
    # the other days followed: the day just before each migraine (1, 6, ..., 26): 6 of the 22
    assert link.other_days_followed == 6 and link.other_rate == pytest.approx(6 / 22)
    assert link.after_bad_gut_rate == 1.0
    rr = link.ratio
    assert rr.corrected and (rr.a, rr.n1, rr.c, rr.n0) == (6, 6, 6, 22)  # no bad gut day without a migraine
    assert rr.ratio == pytest.approx((6.5 / 7) / (6.5 / 23)) and rr.low > 1


def test_the_bad_gut_days_are_not_in_the_days_they_are_compared_with():
    # every migraine follows a bad gut day: against all days the rate would be diluted by the bad days
    diary = [Day(on(i), "migraine" if i % 4 == 2 else "none", bloating=7 if i % 4 == 0 else 0) for i in range(40)]
    link = gut_migraine_link(diary)
    assert (link.bad_gut_days, link.bad_gut_days_followed) == (10, 10)  # days 0, 4, ..., 36
    assert (link.other_days, link.other_days_followed) == (28, 10)  # days 1, 5, ..., 37 precede a migraine
    assert link.other_rate == pytest.approx(10 / 28)  # not 20 / 38, the rate of all days
    assert link.ratio.ratio == pytest.approx((10.5 / 11) / (10.5 / 29))


def test_the_ratio_waits_for_enough_days():
    assert gut_migraine_link(days(29)).ratio is None  # 27 comparable days
    link = gut_migraine_link(days(30))  # 28, none a bad gut day: nothing on one side
    assert link.enough_data and link.bad_gut_days == 0 and link.ratio is None


def test_gaps_are_not_read_as_migraine_free_and_little_data_says_so():
    diary = [Day(START, stool_types=(1,)), Day(on(1))]  # the day after next is missing
    link = gut_migraine_link(diary)
    assert (link.bad_gut_days, link.comparable_days) == (0, 0)
    assert link.after_bad_gut_rate is None and link.other_rate is None and link.enough_data is False
    assert link.ratio is None


def test_enough_data_counts_the_days_the_figure_uses_not_diary_days():
    assert not gut_migraine_link(days(29)).enough_data  # 27 days have their next two days filled in
    assert gut_migraine_link(days(30)).enough_data  # 28 do
    every_other_pair = [d for d in days(84) if d.day.toordinal() % 3 != 0]  # 56 diary days, none comparable
    link = gut_migraine_link(every_other_pair)
    assert link.recorded_days == 56 and link.comparable_days == 0 and not link.enough_data
