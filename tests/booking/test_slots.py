"""The free-slot computation, called directly: hours, buffers, notice, horizon, time off, clock changes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from portal.booking.slots import (
    Rules,
    SlotProblem,
    TimeOff,
    WorkingRange,
    blocked_interval,
    free_slots,
    local_instant,
    slot_problem,
)

MIN = timedelta(minutes=1)


def rules(tz="Europe/London", *, before=0, after=0, notice=0, horizon=60, step=30) -> Rules:
    return Rules(tz, before * MIN, after * MIN, notice * MIN, horizon, step * MIN)


def every_day(start: time, end: time) -> list[WorkingRange]:
    return [WorkingRange(day, start, end) for day in range(7)]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def on(day: date, slots: list[datetime], tz="Europe/London") -> list[str]:
    """The local HH:MM of the slots that fall on `day` in zone `tz`."""
    zone = ZoneInfo(tz)
    return [s.astimezone(zone).strftime("%H:%M") for s in slots if s.astimezone(zone).date() == day]


MONDAY = date(2030, 1, 7)  # London is on UTC in January
NOW = utc(2030, 1, 7, 6, 0)


def test_a_plain_day_steps_through_the_range_and_the_session_must_fit():
    slots = free_slots(rules(), every_day(time(9), time(12)), [], [], 60 * MIN, NOW, MONDAY, MONDAY)
    assert on(MONDAY, slots) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert all(s.tzinfo is UTC for s in slots)


def test_several_ranges_a_day_and_weekdays_map_to_the_practice_calendar():
    hours = [WorkingRange(0, time(9), time(10)), WorkingRange(0, time(14), time(15)), WorkingRange(1, time(8), time(9))]
    slots = free_slots(rules(), hours, [], [], 30 * MIN, NOW, MONDAY, MONDAY + timedelta(days=2))
    assert on(MONDAY, slots) == ["09:00", "09:30", "14:00", "14:30"]
    assert on(MONDAY + timedelta(days=1), slots) == ["08:00", "08:30"]
    assert on(MONDAY + timedelta(days=2), slots) == []


def test_weekdays_are_the_practice_days_not_utc_days():
    """08:00 on a Monday in Auckland is Sunday evening in UTC, and Sunday's hours must not apply."""
    hours = [WorkingRange(0, time(8), time(9))]
    now = utc(2030, 1, 5, 0, 0)
    r = rules("Pacific/Auckland", step=60)
    slots = free_slots(r, hours, [], [], 60 * MIN, now, date(2030, 1, 5), date(2030, 1, 8))
    assert slots == [utc(2030, 1, 6, 19, 0)]  # NZDT is UTC+13 in January


def test_first_and_last_day_narrow_the_horizon_and_never_widen_it():
    hours, r = every_day(time(9), time(10)), rules(horizon=5, step=60)

    def days(first: date, last: date) -> list[date]:
        return [s.date() for s in free_slots(r, hours, [], [], 60 * MIN, NOW, first, last)]

    assert days(MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)) == [
        MONDAY + timedelta(days=2),
        MONDAY + timedelta(days=3),
    ]
    assert days(MONDAY - timedelta(days=3), MONDAY + timedelta(days=30)) == [
        MONDAY + timedelta(days=i) for i in range(6)
    ]
    assert days(MONDAY + timedelta(days=4), None) == [MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)]
    assert days(MONDAY + timedelta(days=3), MONDAY + timedelta(days=2)) == []


def test_buffers_keep_time_free_around_sessions_and_touching_is_allowed():
    r = rules(before=15, after=15, step=15)
    existing = blocked_interval(utc(2030, 1, 7, 10, 0), 60 * MIN, r)
    assert existing == (utc(2030, 1, 7, 9, 45), utc(2030, 1, 7, 11, 15))
    slots = free_slots(r, every_day(time(9), time(13)), [], [existing], 30 * MIN, NOW, MONDAY, MONDAY)
    # 09:00 session + 15 after ends at 09:45: touches the other's buffer, allowed. 09:15 would overlap.
    assert on(MONDAY, slots) == ["09:00", "11:30", "11:45", "12:00", "12:15", "12:30"]


def test_overlapping_and_nested_bookings_all_block():
    """A short booking inside a long one must not hide the long one's end from the overlap search."""
    busy = [
        (utc(2030, 1, 7, 9, 30), utc(2030, 1, 7, 10, 0)),
        (utc(2030, 1, 7, 9, 0), utc(2030, 1, 7, 11, 0)),
        (utc(2030, 1, 7, 9, 15), utc(2030, 1, 7, 9, 45)),
        (utc(2030, 1, 7, 11, 30), utc(2030, 1, 7, 12, 0)),
        (utc(2030, 1, 7, 11, 45), utc(2030, 1, 7, 12, 15)),
    ]
    slots = free_slots(rules(), every_day(time(9), time(13)), [], busy, 30 * MIN, NOW, MONDAY, MONDAY)
    assert on(MONDAY, slots) == ["11:00", "12:30"]


def test_an_empty_busy_interval_blocks_nothing():
    instant = utc(2030, 1, 7, 9, 45)
    slots = free_slots(rules(), every_day(time(9), time(11)), [], [(instant, instant)], 30 * MIN, NOW, MONDAY, MONDAY)
    assert on(MONDAY, slots) == ["09:00", "09:30", "10:00", "10:30"]
    assert (
        slot_problem(
            utc(2030, 1, 7, 9, 30), rules(), every_day(time(9), time(11)), [], [(instant, instant)], 30 * MIN, NOW
        )
        is None
    )


def test_a_step_that_is_not_positive_is_refused_rather_than_looping():
    with pytest.raises(ValueError):
        free_slots(rules(step=0), every_day(time(9), time(10)), [], [], 30 * MIN, NOW)
    with pytest.raises(ValueError):
        slot_problem(utc(2030, 1, 7, 9, 0), rules(step=0), every_day(time(9), time(10)), [], [], 30 * MIN, NOW)


def test_minimum_notice_and_the_past():
    now = utc(2030, 1, 7, 9, 10)
    slots = free_slots(rules(notice=60), every_day(time(9), time(12)), [], [], 30 * MIN, now, MONDAY, MONDAY)
    assert on(MONDAY, slots) == ["10:30", "11:00", "11:30"]


def test_the_horizon_includes_its_last_day_and_not_the_next():
    slots = free_slots(rules(horizon=3), every_day(time(9), time(10)), [], [], 60 * MIN, NOW)
    assert sorted({s.date() for s in slots}) == [MONDAY + timedelta(days=i) for i in range(4)]


def test_time_off_closes_single_days_and_ranges():
    off = [
        TimeOff(MONDAY + timedelta(days=1), MONDAY + timedelta(days=1)),
        TimeOff(MONDAY + timedelta(days=3), MONDAY + timedelta(days=5)),
    ]
    slots = free_slots(rules(horizon=6), every_day(time(9), time(10)), off, [], 60 * MIN, NOW)
    assert sorted({s.date() for s in slots}) == [MONDAY, MONDAY + timedelta(days=2), MONDAY + timedelta(days=6)]


def test_a_range_until_midnight():
    slots = free_slots(rules(), every_day(time(22), time.max), [], [], 60 * MIN, NOW, MONDAY, MONDAY)
    assert on(MONDAY, slots) == ["22:00", "22:30", "23:00"]


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        # London springs forward at 01:00 GMT: 00:00-04:00 local is three real hours.
        ("Europe/London", date(2026, 3, 29), ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30"]),
        # London falls back at 02:00 BST: 00:00-04:00 local is five real hours, 01:xx happens twice.
        (
            "Europe/London",
            date(2026, 10, 25),
            ["23:00", "23:30", "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"],
        ),
        # New York springs forward at 02:00 EST.
        ("America/New_York", date(2026, 3, 8), ["05:00", "05:30", "06:00", "06:30", "07:00", "07:30"]),
        # New York falls back at 02:00 EDT.
        (
            "America/New_York",
            date(2026, 11, 1),
            ["04:00", "04:30", "05:00", "05:30", "06:00", "06:30", "07:00", "07:30", "08:00", "08:30"],
        ),
    ],
)
def test_clock_change_days_are_exact(tz, day, expected_utc):
    now = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    slots = free_slots(rules(tz), every_day(time(0), time(4)), [], [], 30 * MIN, now, day, day)
    assert [s.strftime("%H:%M") for s in slots] == expected_utc
    assert len(set(slots)) == len(slots)
    assert all(b - a == 30 * MIN for a, b in pairwise(slots))


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        ("Europe/London", date(2026, 3, 29), "01:00"),  # 01:30 does not exist: the range opens at 02:00 BST
        ("America/New_York", date(2026, 3, 8), "07:00"),  # 02:30 does not exist: opens at 03:00 EDT
    ],
)
def test_a_range_starting_in_the_spring_gap_opens_when_the_clocks_have_changed(tz, day, expected):
    start = time(1, 30) if tz == "Europe/London" else time(2, 30)
    assert local_instant(day, start, ZoneInfo(tz)).strftime("%H:%M") == expected
    now = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    hours = every_day(start, time(5))
    slots = free_slots(rules(tz), hours, [], [], 30 * MIN, now, day, day)
    assert slots[0].strftime("%H:%M") == expected


def test_an_ambiguous_autumn_time_means_its_first_occurrence():
    assert local_instant(date(2026, 10, 25), time(1, 30), ZoneInfo("Europe/London")) == utc(2026, 10, 25, 0, 30)


@pytest.mark.parametrize(
    ("day", "london_nine_in_utc"),
    [
        (date(2026, 3, 27), "09:00"),
        (date(2026, 3, 30), "08:00"),  # either side of spring forward
        (date(2026, 10, 23), "08:00"),
        (date(2026, 10, 26), "09:00"),  # either side of fall back
    ],
)
def test_nine_oclock_stays_nine_oclock_either_side_of_a_change(day, london_nine_in_utc):
    now = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    slots = free_slots(rules(), every_day(time(9), time(10)), [], [], 60 * MIN, now, day, day)
    assert [s.strftime("%H:%M") for s in slots] == [london_nine_in_utc]


@pytest.mark.parametrize(("day", "kolkata"), [(date(2026, 1, 12), "14:30"), (date(2026, 7, 13), "13:30")])
def test_a_client_in_kolkata_sees_london_times_at_half_past(day, kolkata):
    now = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    slots = free_slots(rules(), every_day(time(9), time(10)), [], [], 60 * MIN, now, day, day)
    assert on(day, slots, "Asia/Kolkata") == [kolkata]


def test_a_practice_in_kolkata_keeps_its_half_hour_offset():
    day = date(2026, 3, 29)
    now = utc(2026, 3, 28, 0, 0)
    slots = free_slots(rules("Asia/Kolkata"), every_day(time(9), time(10)), [], [], 60 * MIN, now, day, day)
    assert [s.strftime("%H:%M") for s in slots] == ["03:30"]
    assert on(day, slots) == ["04:30"]  # London has just moved to BST


def test_each_problem_is_named():
    r, hours = rules(notice=120, horizon=10), every_day(time(9), time(17))
    busy = [blocked_interval(utc(2030, 1, 8, 10, 0), 60 * MIN, r)]

    def problem(start: datetime) -> SlotProblem | None:
        return slot_problem(start, r, hours, [TimeOff(date(2030, 1, 9), date(2030, 1, 9))], busy, 60 * MIN, NOW)

    assert problem(NOW - MIN) is SlotProblem.PAST
    assert problem(utc(2030, 1, 7, 7, 0)) is SlotProblem.TOO_SOON
    assert problem(utc(2030, 1, 18, 9, 0)) is SlotProblem.TOO_FAR
    assert problem(utc(2030, 1, 8, 9, 10)) is SlotProblem.OUTSIDE_HOURS  # off the step
    assert problem(utc(2030, 1, 8, 16, 30)) is SlotProblem.OUTSIDE_HOURS  # would run past 17:00
    assert problem(utc(2030, 1, 9, 10, 0)) is SlotProblem.OUTSIDE_HOURS  # time off
    assert problem(utc(2030, 1, 8, 10, 30)) is SlotProblem.TAKEN
    assert problem(utc(2030, 1, 8, 11, 0)) is None
    assert SlotProblem.TAKEN.value == "This time was just taken."


@pytest.mark.parametrize(
    ("tz", "now"),
    [
        ("Europe/London", utc(2026, 3, 25, 10, 7)),  # springs forward on Sunday 29 March
        ("Europe/London", utc(2026, 10, 22, 10, 7)),  # falls back on Sunday 25 October
        ("America/New_York", utc(2026, 3, 4, 10, 7)),  # springs forward on Sunday 8 March
        ("America/New_York", utc(2026, 10, 29, 10, 7)),  # falls back on Sunday 1 November
    ],
)
def test_slot_problem_agrees_with_free_slots_every_five_minutes(tz, now):
    """Including a clock change, a range opening in the spring gap, buffers, time off and a busy diary."""
    r = rules(tz, before=10, after=15, notice=90, horizon=9, step=15)
    hours = [
        WorkingRange(0, time(0), time(3)),
        WorkingRange(6, time(0), time(4)),
        WorkingRange(6, time(2, 30), time(5)),
        WorkingRange(6, time(9), time(12)),
        WorkingRange(1, time(9), time(17)),
        WorkingRange(2, time(21), time.max),
        WorkingRange(4, time(8, 10), time(11)),
    ]
    off = [TimeOff(now.date() + timedelta(days=6), now.date() + timedelta(days=6))]
    rng = random.Random(3)
    busy = [blocked_interval(now + 5 * MIN * rng.randrange(0, 12 * 24 * 12), 45 * MIN, r) for _ in range(40)]
    free = set(free_slots(r, hours, off, busy, 45 * MIN, now))
    problems = set()
    candidate = datetime.combine(now.date() - timedelta(days=1), time(0), tzinfo=UTC)
    while candidate < now + timedelta(days=12):
        problem = slot_problem(candidate, r, hours, off, busy, 45 * MIN, now)
        assert (problem is None) == (candidate in free), candidate
        problems.add(problem)
        candidate += 5 * MIN
    assert problems == set(SlotProblem) | {None}


def test_a_busy_diary_of_two_thousand_sessions():
    r = rules(after=15, step=15, horizon=60)
    hours = [WorkingRange(day, time(8), time(20)) for day in range(6)]
    rng = random.Random(7)
    busy = []
    for _ in range(1000):  # bookings in quarter-hour places over 60 days
        start = NOW + timedelta(minutes=15 * rng.randrange(0, 60 * 24 * 4))
        busy.append(blocked_interval(start, 45 * MIN, r))
    for _ in range(1000):  # and odd ones, some long, overlapping each other
        start = NOW + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        busy.append((start, start + timedelta(minutes=rng.randrange(1, 240))))
    free = free_slots(r, hours, [], busy, 45 * MIN, NOW)
    everything = free_slots(r, hours, [], [], 45 * MIN, NOW)
    assert free == sorted(set(free))
    assert 0 < len(free) < len(everything)
    assert set(free) <= set(everything)
    for start in everything[::7]:  # every slot kept is clear of every booking, every slot dropped hits one
        end = start + 60 * MIN
        assert (start in free) == (not any(b_start < end and start < b_end for b_start, b_end in busy)), start
