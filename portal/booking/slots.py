"""Free booking slots, as a pure function of the rules, the working hours, time off, busy times and now.

Working hours and time off are wall-clock times in the practice's zone; everything else is an aware UTC
instant. Slots step through *real* time from the start of each working range, so a day when the clocks
change has an hour more or less of slots, never a duplicated or a missing one. A range starting inside the
spring-forward gap starts at the first instant that exists; an ambiguous autumn time means its first
occurrence.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_TICK = timedelta(microseconds=1)
_ZERO = timedelta(0)


@dataclass(frozen=True)
class Rules:
    timezone: str
    buffer_before: timedelta
    buffer_after: timedelta
    min_notice: timedelta
    horizon_days: int  # the last bookable day is the practice's today plus this many days
    step: timedelta


@dataclass(frozen=True)
class WorkingRange:
    weekday: int  # 0 = Monday, in the practice's zone
    start: time
    end: time  # time.max means "until midnight"


@dataclass(frozen=True)
class TimeOff:
    first_day: date  # inclusive, practice-local dates
    last_day: date


Busy = tuple[datetime, datetime]  # [blocked_from, blocked_until) of a booking, buffers included


class SlotProblem(enum.Enum):
    """Why a start time can't be booked; the value is what the person is told."""

    PAST = "That time has already passed."
    TOO_SOON = "That time is too soon to book; please pick a later one."
    TOO_FAR = "That time is further ahead than bookings are open; please pick an earlier one."
    OUTSIDE_HOURS = "That time is not one of the practice's bookable times."
    TAKEN = "This time was just taken."


def blocked_interval(start: datetime, duration: timedelta, rules: Rules) -> tuple[datetime, datetime]:
    """The time a session keeps from other bookings: itself plus its buffers."""
    return start - rules.buffer_before, start + duration + rules.buffer_after


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset_at(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # a datetime in a ZoneInfo is aware
    return offset


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant a wall-clock time happens on `day`: the first occurrence when the clocks go back,
    the first instant after the gap when the clocks go forward; time.max means the next midnight."""
    if at == time.max:
        day, at = day + timedelta(days=1), time(0)
    wall = datetime.combine(day, at)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # In the gap: fold=0 used the offset from before the change, so `instant` is after the change, and
    # fold=1 (the offset after it) lies before. Bisect down to the microsecond the clocks changed.
    low, high = wall.replace(tzinfo=zone, fold=1).astimezone(UTC), instant
    after = _offset_at(high, zone)
    while high - low > _TICK:
        middle = low + (high - low) // 2
        if _offset_at(middle, zone) == after:
            high = middle
        else:
            low = middle
    return high


class _BusyIndex:
    """Busy times merged into sorted, disjoint intervals, for overlap checks by bisection.

    Merging makes one bisection enough even when bookings overlap or one lies inside a longer one;
    an empty interval blocks nothing and is dropped.
    """

    def __init__(self, busy: list[Busy]):
        merged: list[list[datetime]] = []
        for start, end in sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in busy if s < e):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Does [start, end) share any time with a busy interval? Touching is not sharing."""
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return True
        return i + 1 < len(self.starts) and self.starts[i + 1] < end


def _off(day: date, time_off: list[TimeOff]) -> bool:
    return any(off.first_day <= day <= off.last_day for off in time_off)


def _day_ranges(day: date, zone: ZoneInfo, hours: list[WorkingRange]) -> list[tuple[datetime, datetime]]:
    """Her working ranges on `day` as UTC instants."""
    return [
        (local_instant(day, working.start, zone), local_instant(day, working.end, zone))
        for working in hours
        if working.weekday == day.weekday()
    ]


def _day_candidates(
    day: date, zone: ZoneInfo, hours: list[WorkingRange], duration: timedelta, step: timedelta
) -> list[datetime]:
    """Every start on the step inside her hours on `day` where the whole session fits, busy or not."""
    starts: set[datetime] = set()
    for start, end in _day_ranges(day, zone, hours):
        candidate = start
        while candidate + duration <= end:
            starts.add(candidate)
            candidate += step
    return sorted(starts)


def _is_candidate(
    start: datetime, day: date, zone: ZoneInfo, hours: list[WorkingRange], duration: timedelta, step: timedelta
) -> bool:
    """Is `start` one of _day_candidates(day, ...)? The same test by arithmetic, without listing the day."""
    return any(
        range_start <= start and start + duration <= range_end and (start - range_start) % step == _ZERO
        for range_start, range_end in _day_ranges(day, zone, hours)
    )


def _check_step(rules: Rules) -> None:
    if rules.step <= _ZERO:
        raise ValueError(f"The slot step must be positive, not {rules.step}.")


def _days(rules: Rules, now: datetime, first_day: date | None, last_day: date | None) -> list[date]:
    today = now.astimezone(_zone(rules.timezone)).date()
    first, last = today, today + timedelta(days=rules.horizon_days)
    if first_day is not None:
        first = max(first, first_day)
    if last_day is not None:
        last = min(last, last_day)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def free_slots(
    rules: Rules,
    hours: list[WorkingRange],
    time_off: list[TimeOff],
    busy: list[Busy],
    duration: timedelta,
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[datetime]:
    """The UTC instants, soonest first, at which a session of `duration` may start.

    `first_day`/`last_day` (practice-local dates) narrow the search to part of the booking horizon.
    """
    _check_step(rules)
    zone, index = _zone(rules.timezone), _BusyIndex(busy)
    earliest = now + rules.min_notice
    free: list[datetime] = []
    for day in _days(rules, now, first_day, last_day):
        if _off(day, time_off):
            continue
        for start in _day_candidates(day, zone, hours, duration, rules.step):
            if start < earliest:
                continue
            blocked_from, blocked_until = blocked_interval(start, duration, rules)
            if not index.overlaps(blocked_from, blocked_until):
                free.append(start)
    return free


def slot_problem(
    start: datetime,
    rules: Rules,
    hours: list[WorkingRange],
    time_off: list[TimeOff],
    busy: list[Busy],
    duration: timedelta,
    now: datetime,
) -> SlotProblem | None:
    """Why `start` can't be booked, or None when it is one of free_slots(...)."""
    _check_step(rules)
    start = start.astimezone(UTC)
    if start < now:
        return SlotProblem.PAST
    if start < now + rules.min_notice:
        return SlotProblem.TOO_SOON
    zone = _zone(rules.timezone)
    day = start.astimezone(zone).date()
    if day > now.astimezone(zone).date() + timedelta(days=rules.horizon_days):
        return SlotProblem.TOO_FAR
    if _off(day, time_off) or not _is_candidate(start, day, zone, hours, duration, rules.step):
        return SlotProblem.OUTSIDE_HOURS
    return SlotProblem.TAKEN if _taken(start, duration, rules, busy) else None


def _taken(start: datetime, duration: timedelta, rules: Rules, busy: list[Busy]) -> bool:
    """Does a session at `start`, with its buffers, share time with a busy interval?"""
    blocked_from, blocked_until = blocked_interval(start, duration, rules)
    # One start against every booking: a scan is cheaper than sorting them all for _BusyIndex.
    return any(b_from < b_until and b_from < blocked_until and blocked_from < b_until for b_from, b_until in busy)


class StaffProblem(enum.Enum):
    """Why the practice's team can't book a client at a time; the value is what she is told."""

    PAST = "That time has already passed."
    TIME_OFF = "You are on time off that day."
    OUTSIDE_HOURS = "That time is outside your working hours."
    TAKEN = "That time is already taken by another session (or its buffer)."


def staff_problem(
    start: datetime,
    rules: Rules,
    hours: list[WorkingRange],
    time_off: list[TimeOff],
    busy: list[Busy],
    duration: timedelta,
    now: datetime,
) -> StaffProblem | None:
    """Why the practice's team can't book a session at `start`, or None. Unlike a client she is held neither to
    the minimum notice, nor the booking horizon, nor the start-time step: only to the past, time off, her
    working hours (the whole session inside one range) and free time, buffers included."""
    start = start.astimezone(UTC)
    if start < now:
        return StaffProblem.PAST
    zone = _zone(rules.timezone)
    day = start.astimezone(zone).date()
    if _off(day, time_off):
        return StaffProblem.TIME_OFF
    if not any(begin <= start and start + duration <= end for begin, end in _day_ranges(day, zone, hours)):
        return StaffProblem.OUTSIDE_HOURS
    return StaffProblem.TAKEN if _taken(start, duration, rules, busy) else None
