"""Headache-diary outcomes, medication overuse, responders and the migraine-gut link, from plain days."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.questionnaires.diary import Day, gut_migraine_link, responder, window, windows

START = date(2030, 1, 1)


def days(n: int, **each) -> list[Day]:
    return [Day(START + timedelta(days=i), **each) for i in range(n)]


def test_a_window_counts_migraine_headache_and_medication_days():
    diary = [Day(START, "migraine", 8, frozenset({"triptan"})), Day(START + timedelta(days=1), "headache", 4,
             frozenset({"simple"})), Day(START + timedelta(days=2)), Day(START + timedelta(days=28), "migraine")]
    first = window(diary, START)
    assert (first.recorded_days, first.migraine_days, first.headache_days) == (3, 1, 2)
    assert first.medication_days["triptan"] == 1 and first.medication_days["simple"] == 1
    assert first.acute_medication_days == 2 and first.last_day == START + timedelta(days=27)
    assert window(diary, START + timedelta(days=28)).migraine_days == 1  # day 29 is the next window


@pytest.mark.parametrize(("classes", "count", "overuse"), [
    ({"triptan"}, 9, False), ({"triptan"}, 10, True), ({"opioid"}, 10, True), ({"combination"}, 10, True),
    ({"ergot"}, 10, True), ({"simple"}, 14, False), ({"simple"}, 15, True),
])
def test_medication_overuse_edges(classes, count, overuse):
    diary = days(count, headache="headache", medication=frozenset(classes)) + [
        Day(START + timedelta(days=i)) for i in range(count, 28)]
    assert window(diary, START).overuse is overuse


def test_triptan_and_opioid_days_add_up_towards_the_ten_day_limit():
    diary = days(5, medication=frozenset({"triptan"})) + [
        Day(START + timedelta(days=5 + i), medication=frozenset({"opioid"})) for i in range(5)]
    assert window(diary, START).overuse is True


def test_windows_run_from_the_first_diary_day_and_responders_halve_their_migraine_days():
    diary = [Day(START + timedelta(days=i), "migraine" if i % 4 == 0 else "none") for i in range(28)]  # 7
    diary += [Day(START + timedelta(days=28 + i), "migraine" if i % 8 == 0 else "none") for i in range(28)]  # 4
    diary += [Day(START + timedelta(days=56 + i), "migraine" if i % 9 == 0 else "none") for i in range(28)]  # 4
    first, second, third = windows(diary, START + timedelta(days=83))
    assert (first.migraine_days, second.migraine_days, third.migraine_days) == (7, 4, 4)
    assert responder(first, second) is False  # 4 is more than half of 7
    three = [Day(START + timedelta(days=i), "migraine") for i in range(3)]
    assert responder(first, window(three, START)) is True  # 3 is at most half of 7
    assert responder(window([], START), second) is None
    assert windows([], START) == []


def test_a_bad_gut_day_is_a_hard_or_loose_stool_or_strong_bloating():
    assert Day(START, stool_types=(4, 1)).bad_gut and Day(START, stool_types=(7,)).bad_gut
    assert Day(START, bloating=6).bad_gut and not Day(START, bloating=5, stool_types=(3, 4, 5)).bad_gut


def test_the_migraine_gut_link_compares_bad_gut_days_with_her_overall_rate():
    diary = []
    for i in range(30):
        bad = i % 5 == 0  # days 0, 5, 10 ... are bad gut days, each followed by a migraine 2 days later
        migraine = i % 5 == 2
        diary.append(Day(START + timedelta(days=i), "migraine" if migraine else "none",
                         stool_types=(1,) if bad else (4,)))
    link = gut_migraine_link(diary)
    assert link.enough_data and link.recorded_days == 30
    assert (link.bad_gut_days, link.bad_gut_days_followed) == (6, 6)  # days 0 ... 25 have two days after them
    assert link.comparable_days == 28
    assert link.after_bad_gut_rate == 1.0
    assert link.overall_rate == pytest.approx(link.days_with_migraine_within_48h / 28)
    assert link.overall_rate < link.after_bad_gut_rate


def test_gaps_are_not_read_as_migraine_free_and_little_data_says_so():
    diary = [Day(START, stool_types=(1,)), Day(START + timedelta(days=1))]  # the day after next is missing
    link = gut_migraine_link(diary)
    assert (link.bad_gut_days, link.comparable_days) == (0, 0)
    assert link.after_bad_gut_rate is None and link.overall_rate is None and link.enough_data is False
    assert gut_migraine_link(days(27)).enough_data is False and gut_migraine_link(days(28)).enough_data is True


def test_a_window_names_its_stool_pattern_by_the_rome_iv_rule():
    def diary(hard: int, loose: int) -> list[Day]:
        types = [1] * hard + [7] * loose + [4] * (28 - hard - loose)
        return [Day(START + timedelta(days=n), stool_types=(t,)) for n, t in enumerate(types)]

    assert window(diary(7, 0), START).stool_pattern == "IBS-U"  # exactly a quarter is not more than a quarter
    assert window(diary(8, 0), START).stool_pattern == "IBS-C"
    assert window(diary(0, 8), START).stool_pattern == "IBS-D"
    assert window(diary(8, 8), START).stool_pattern == "IBS-M"
    assert window(days(28), START).stool_pattern is None  # no stools recorded
