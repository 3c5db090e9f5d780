"""Where a challenge stands on a given day, and what to do that day, in plain words. Pure: no app, no database.

A challenge is an n-of-1 elimination and reintroduction: the food is left out for `eliminate_days`, had again
in normal portions for `reintroduce_days`, then left out again for `watch_days` while she notes how she feels
(the usual shape of an elimination diet's reintroduction; e.g. Monash University's low-FODMAP programme
reintroduces one group over 3 days and waits before the next).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from babel.dates import format_date


class Phase(enum.StrEnum):
    BEFORE = "before"
    ELIMINATE = "eliminate"
    REINTRODUCE = "reintroduce"
    WATCH = "watch"
    ENDED = "ended"


RUNNING_PHASES = (Phase.ELIMINATE, Phase.REINTRODUCE, Phase.WATCH)
PHASE_NAMES = {
    Phase.ELIMINATE: "Without",
    Phase.REINTRODUCE: "Back in",
    Phase.WATCH: "Watching",
}


class Schedule(Protocol):
    """What phase_on needs of a challenge (a Challenge row has all of it)."""

    title: str
    starts_on: date
    eliminate_days: int
    reintroduce_days: int
    watch_days: int
    stopped_on: date | None


def phase_span(schedule: Schedule, phase: Phase) -> tuple[date, date]:
    """The first and last day of a running phase as planned (stopping early is not taken into account)."""
    lengths = {
        Phase.ELIMINATE: (0, schedule.eliminate_days),
        Phase.REINTRODUCE: (schedule.eliminate_days, schedule.reintroduce_days),
        Phase.WATCH: (schedule.eliminate_days + schedule.reintroduce_days, schedule.watch_days),
    }
    offset, length = lengths[phase]
    first = schedule.starts_on + timedelta(days=offset)
    return first, first + timedelta(days=length - 1)


def last_day(schedule: Schedule) -> date:
    """The last day of the watch phase: the planned end."""
    return phase_span(schedule, Phase.WATCH)[1]


def ends_on(schedule: Schedule) -> date:
    """The last day the challenge ran or will run: the planned end, or the day it was stopped."""
    planned = last_day(schedule)
    return min(planned, schedule.stopped_on) if schedule.stopped_on is not None else planned


@dataclass(frozen=True)
class Today:
    phase: Phase
    day_number: int  # k in "day k of n" (0 before and after)
    phase_days: int  # n
    headline: str  # "Day 5 of 21 without dairy"
    what_to_do: str  # "Leave out all dairy today."
    avoid_today: bool  # the food is to be left out today

    @property
    def running(self) -> bool:
        return self.phase in RUNNING_PHASES


def _long(day: date) -> str:
    return format_date(day, "EEEE d MMMM", locale="en_GB")


def phase_on(schedule: Schedule, day: date, whose: str = "your") -> Today:
    """The phase `day` falls in and what to do that day (`whose` challenge: "your" for her, "her" for staff)."""
    food = schedule.title
    owner = whose.capitalize()
    if day < schedule.starts_on:
        start = "tomorrow" if (schedule.starts_on - day).days == 1 else f"on {_long(schedule.starts_on)}"
        return Today(
            Phase.BEFORE,
            0,
            schedule.eliminate_days,
            f"{owner} {food} challenge starts {start}",
            f"From then, no {food} for {schedule.eliminate_days} days. Until then, eat as usual.",
            False,
        )
    if day > ends_on(schedule):
        stopped = schedule.stopped_on is not None and schedule.stopped_on < last_day(schedule)
        return Today(
            Phase.ENDED,
            0,
            0,
            f"{owner} {food} challenge was stopped" if stopped else f"{owner} {food} challenge has ended",
            "Thank you. Your practitioner will go through what it showed with you; until then, keep to your protocol.",
            False,
        )
    for phase in RUNNING_PHASES:
        first, last = phase_span(schedule, phase)
        if first <= day <= last:
            k, n = (day - first).days + 1, (last - first).days + 1
            if phase == Phase.ELIMINATE:
                return Today(phase, k, n, f"Day {k} of {n} without {food}", f"Leave out all {food} today.", True)
            if phase == Phase.REINTRODUCE:
                return Today(
                    phase,
                    k,
                    n,
                    f"Day {k} of {n}: {food} back in",
                    f"Today: have a normal portion of {food}, and note how you feel.",
                    False,
                )
            return Today(phase, k, n, f"Watch day {k} of {n}", f"Watch: no {food}, note how you feel.", True)
    raise AssertionError("a day inside the challenge falls in one of its phases")  # pragma: no cover
