"""What a client's daily diary says, as pure functions over plain days: headache-diary outcomes per 28 days
as the headache societies define them, medication overuse, responder status, and the migraine-gut link.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.questionnaires.scoring import rome_iv_subtype

WINDOW_DAYS = 28
# Medication overuse: >= 10 days a month of these classes, or >= 15 days of simple painkillers.
OVERUSE_10_DAY_CLASSES = ("triptan", "ergot", "opioid", "combination")
OVERUSE_15_DAY_CLASSES = ("simple",)
MEDICATION_CLASSES = OVERUSE_10_DAY_CLASSES + OVERUSE_15_DAY_CLASSES
HEADACHE_KINDS = ("none", "headache", "migraine")
MIN_DAYS_FOR_LINK = 28
LINK_HOURS = 48


@dataclass(frozen=True)
class Day:
    """One diary day."""

    day: date
    headache: str = "none"  # none, headache or migraine
    intensity: int = 0  # peak 0-10
    medication: frozenset[str] = field(default_factory=frozenset)  # classes taken that day
    stool_types: tuple[int, ...] = ()  # Bristol types of the day's bowel movements
    bloating: int = 0  # 0-10
    abdominal_pain: int = 0  # 0-10

    @property
    def bad_gut(self) -> bool:
        """Bristol 1-2 or 6-7 at least once, or bloating of 6 or more."""
        return self.bloating >= 6 or any(t <= 2 or t >= 6 for t in self.stool_types)


@dataclass(frozen=True)
class Window:
    """Outcomes of one 28-day window (days without an entry count as not recorded, not as good days)."""

    first_day: date
    last_day: date
    recorded_days: int
    migraine_days: int
    headache_days: int  # any headache, migraine included
    medication_days: dict[str, int]
    acute_medication_days: int
    overuse: bool
    stool_pattern: str | None = None  # the Rome IV subtype rule over the window's stools; None without stools


def window(days: Iterable[Day], first_day: date) -> Window:
    last_day = first_day + timedelta(days=WINDOW_DAYS - 1)
    inside = [d for d in days if first_day <= d.day <= last_day]
    medication_days = {kind: sum(1 for d in inside if kind in d.medication) for kind in MEDICATION_CLASSES}
    overuse = (sum(1 for d in inside if d.medication & set(OVERUSE_10_DAY_CLASSES)) >= 10
               or medication_days["simple"] >= 15)
    return Window(
        first_day=first_day, last_day=last_day, recorded_days=len(inside),
        migraine_days=sum(1 for d in inside if d.headache == "migraine"),
        headache_days=sum(1 for d in inside if d.headache != "none"),
        medication_days=medication_days, acute_medication_days=sum(1 for d in inside if d.medication),
        overuse=overuse, stool_pattern=rome_iv_subtype([t for d in inside for t in d.stool_types]),
    )


def windows(days: Sequence[Day], today: date) -> list[Window]:
    """Consecutive 28-day windows from the first diary day up to the one holding `today`, oldest first."""
    if not days:
        return []
    start = min(d.day for d in days)
    result = []
    while start <= today:
        result.append(window(days, start))
        start += timedelta(days=WINDOW_DAYS)
    return result


def responder(baseline: Window, current: Window) -> bool | None:
    """At least 50% fewer migraine days than the first 28 days; None when the baseline had none."""
    if baseline.migraine_days == 0:
        return None
    return current.migraine_days <= baseline.migraine_days / 2


@dataclass(frozen=True)
class GutMigraineLink:
    """How often a bad gut day is followed by a migraine within 48 hours, against her overall rate."""

    recorded_days: int
    bad_gut_days: int
    bad_gut_days_followed: int  # ... by a migraine on the next day or the one after
    days_with_migraine_within_48h: int  # any recorded day followed by a migraine in the next 48 hours
    comparable_days: int  # recorded days whose next two days are recorded too
    enough_data: bool

    @property
    def after_bad_gut_rate(self) -> float | None:
        return self.bad_gut_days_followed / self.bad_gut_days if self.bad_gut_days else None

    @property
    def overall_rate(self) -> float | None:
        return self.days_with_migraine_within_48h / self.comparable_days if self.comparable_days else None


def gut_migraine_link(days: Iterable[Day]) -> GutMigraineLink:
    """Only days whose following two days are in the diary count, so gaps are never read as migraine-free."""
    by_day = {d.day: d for d in days}
    bad = followed = any_followed = comparable = 0
    for current in by_day.values():
        after = [by_day.get(current.day + timedelta(days=n)) for n in (1, 2)]
        if None in after:
            continue
        comparable += 1
        migraine_next = any(d.headache == "migraine" for d in after)
        any_followed += migraine_next
        if current.bad_gut:
            bad += 1
            followed += migraine_next
    return GutMigraineLink(
        recorded_days=len(by_day), bad_gut_days=bad, bad_gut_days_followed=followed,
        days_with_migraine_within_48h=any_followed, comparable_days=comparable,
        enough_data=len(by_day) >= MIN_DAYS_FOR_LINK,
    )
