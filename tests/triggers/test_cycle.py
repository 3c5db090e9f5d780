"""Cycle day 1, the perimenstrual window (ICHD-3 A1.1: days -2 to +3, no day 0) and clustering in 2 of 3."""

from __future__ import annotations

from datetime import date, timedelta

from portal.triggers.cycle import CycleDay, cycle_starts, cycle_summary, window_of

START = date(2026, 1, 1)


def on(n: int) -> date:
    return START + timedelta(days=n)


def diary(length: int, periods=(), migraines=(), missing=()) -> list[CycleDay]:
    """`length` days from START; period on the day numbers in `periods`, migraine on those in `migraines`."""
    return [CycleDay(on(n), n in periods, n in migraines) for n in range(length) if n not in missing]


def bleeding(*firsts: int, days: int = 5) -> set[int]:
    return {f + n for f in firsts for n in range(days)}


def test_the_window_is_five_days_from_two_before_day_one_to_two_after():
    assert window_of(on(10)) == tuple(on(n) for n in (8, 9, 10, 11, 12))


def test_day_one_is_the_first_day_of_each_period_run():
    days = {d.day: d for d in diary(90, bleeding(10, 38, 66))}
    assert cycle_starts(days) == [on(10), on(38), on(66)]


def test_bleeding_that_stops_and_starts_again_within_a_week_is_the_same_period():
    days = {d.day: d for d in diary(60, {10, 11, 12, 16, 17} | {20 + 15})}  # 16: 3 days after; 35: 18 days after
    assert cycle_starts(days) == [on(10), on(35)]
    days = {d.day: d for d in diary(60, {10, 11, 18})}  # 18: 6 free days after 11, 7 counted back reaches 11
    assert cycle_starts(days) == [on(10)]
    days = {d.day: d for d in diary(60, {10, 11, 19})}  # 19: the 7 days before it have no period
    assert cycle_starts(days) == [on(10), on(19)]


def test_a_period_whose_day_before_is_not_filled_in_has_no_known_start():
    days = {d.day: d for d in diary(60, bleeding(10), missing={9})}
    assert cycle_starts(days) == []
    days = {d.day: d for d in diary(60, bleeding(10), missing={8})}  # only the day before must be filled in
    assert cycle_starts(days) == [on(10)]


def test_a_period_on_the_first_diary_day_is_no_cycle_day_one():
    assert cycle_starts({d.day: d for d in diary(20, bleeding(0))}) == []


def test_migraines_in_two_of_the_last_three_windows_cluster():
    summary = cycle_summary(diary(100, bleeding(10, 38, 66), migraines={9, 68}))  # day -1 of the 1st, +3 of the 3rd
    assert summary.enough_cycles and summary.cycles_with_migraine == 2 and summary.clustered
    assert [c.migraine_in_window for c in summary.read] == [True, False, True]


def test_one_of_three_does_not_cluster():
    summary = cycle_summary(diary(100, bleeding(10, 38, 66), migraines={9, 50, 71}))  # 50 and 71: outside
    assert summary.enough_cycles and summary.cycles_with_migraine == 1 and not summary.clustered


def test_the_window_edges_are_day_minus_two_and_day_plus_three():
    inside = cycle_summary(diary(100, bleeding(10, 38, 66), migraines={8, 40}))  # day -2 and day +3
    assert inside.cycles_with_migraine == 2
    outside = cycle_summary(diary(100, bleeding(10, 38, 66), migraines={7, 41}))  # day -3 and day +4
    assert outside.cycles_with_migraine == 0


def test_fewer_than_three_cycles_is_not_enough_even_with_migraines_in_each():
    summary = cycle_summary(diary(70, bleeding(10, 38), migraines={10, 38}))
    assert len(summary.read) == 2 and summary.cycles_with_migraine == 2
    assert not summary.enough_cycles and not summary.clustered


def test_a_window_with_a_gap_is_not_read_and_the_latest_three_complete_ones_are():
    days = diary(130, bleeding(10, 38, 66, 94), migraines={10, 38}, missing={95})  # the 4th window has a gap
    summary = cycle_summary(days)
    assert len(summary.cycles) == 4 and [c.first_day for c in summary.read] == [on(10), on(38), on(66)]
    assert summary.clustered
    latest = cycle_summary(diary(130, bleeding(10, 38, 66, 94), migraines={10, 38}))  # 4 complete: read the last 3
    assert [c.first_day for c in latest.read] == [on(38), on(66), on(94)] and not latest.clustered


def test_a_window_still_running_is_not_read():
    summary = cycle_summary(diary(68, bleeding(10, 38, 66)))  # the diary ends on day 67: window of 66 runs to 68
    assert len(summary.cycles) == 3 and len(summary.read) == 2 and not summary.enough_cycles


def test_the_perimenstrual_days_are_every_window_found():
    summary = cycle_summary(diary(70, bleeding(10, 38)))
    assert summary.perimenstrual_days == frozenset(on(n) for n in (8, 9, 10, 11, 12, 36, 37, 38, 39, 40))


def test_no_period_marks_mean_no_cycles():
    summary = cycle_summary(diary(60))
    assert summary.cycles == () and not summary.enough_cycles and summary.perimenstrual_days == frozenset()
