"""What a client's daily diary says, as pure functions over plain days: headache-diary outcomes per 28 days
as the headache societies define them, medication overuse (ICHD-3 8.2), responder status, the Rome IV stool
pattern, and the migraine-gut link.

Days that were not filled in are never read as good days: every figure says how many days it rests on, a
rate is only compared when enough of its period was filled in, and overuse is only ruled out on a diary
full enough to rule it out.

Sources: ICHD-3 (Headache Classification Committee of the IHS, Cephalalgia 2018;38:1-211), 8.2 medication-
overuse headache; the IHS guidelines for controlled trials of preventive treatment of episodic migraine
(Diener et al., Cephalalgia 2020;40:1026-44) and of chronic migraine (Tassorelli et al., Cephalalgia 2018;38:
815-32): monthly migraine days counted per 28 days, responders with at least 50% fewer migraine days than
baseline; Rome IV (Lacy et al., Gastroenterology 2016;150:1393-1407): IBS subtypes from the stools of days
with at least one abnormal bowel movement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from portal.questionnaires.scoring import rome_iv_subtype
from portal.triggers.finder import is_bad_gut
from portal.triggers.stats import RiskRatio, risk_ratio

WINDOW_DAYS = 28  # the headache societies' "month" for migraine days
MONTH_DAYS = 30  # ICHD-3's overuse thresholds are "per month": read as the last 30 days, never scaled
# A period's figures are compared only when at least three quarters of its days were filled in: 21 of 28 days,
# 23 of 30. The IHS guidelines leave the floor to the study; this is the practice's, stated in the README.
COMPLETENESS = Fraction(3, 4)
MEDICATION_CLASSES = ("triptan", "ergot", "opioid", "combination", "simple")
# ICHD-3 8.2.1-8.2.5: days a month of one class that are overuse. "simple" is 8.2.3, non-opioid analgesics
# (paracetamol, aspirin and other NSAIDs); 8.2.6 is any mix of classes on 10 or more days.
OVERUSE_DAYS = {"ergot": 10, "triptan": 10, "simple": 15, "opioid": 10, "combination": 10}
SEVERAL_CLASSES_DAYS = 10
HEADACHE_KINDS = ("none", "headache", "migraine")
MIN_COMPARABLE_DAYS = 28
LINK_HOURS = 48
RESPONDER_FALL = Fraction(1, 2)


def days_needed(length: int) -> int:
    """The fewest filled-in days that make a period of `length` days complete enough to compare."""
    return math.ceil(COMPLETENESS * length)


@dataclass(frozen=True, slots=True)
class Day:
    """One diary day."""

    day: date
    headache: str = "none"  # none, headache or migraine
    intensity: int | None = None  # peak 0-10; None: not answered
    medication: frozenset[str] = field(default_factory=frozenset)  # classes taken that day
    stool_types: tuple[int, ...] = ()  # Bristol types of the day's bowel movements
    bloating: int | None = None  # 0-10; None: not answered
    abdominal_pain: int | None = None  # 0-10; None: not answered

    @property
    def bad_gut(self) -> bool:
        """Bristol 1-2 or 6-7 at least once, or bloating of 6 or more (an unanswered bloating scale is no
        evidence either way: only the stools then say it)."""
        return is_bad_gut(self.stool_types, self.bloating)

    @property
    def gut_recorded(self) -> bool:
        """Anything said about the gut that day: a stool, or the bloating or tummy-pain scale answered."""
        return bool(self.stool_types) or self.bloating is not None or self.abdominal_pain is not None


def _inside(days: Iterable[Day], first_day: date, last_day: date) -> list[Day]:
    return [d for d in days if first_day <= d.day <= last_day]


def _days_per_class(days: list[Day]) -> dict[str, int]:
    """How many of these days each class of acute medication was taken on."""
    return {kind: sum(1 for d in days if kind in d.medication) for kind in MEDICATION_CLASSES}


@dataclass(frozen=True)
class StoolPattern:
    """The Rome IV subtype rule over the stools of the days with at least one hard or loose stool."""

    subtype: str | None  # IBS-C, IBS-D, IBS-M, IBS-U; None without any stool recorded
    stool_days: int  # days with at least one stool recorded
    abnormal_days: int  # ... of which had a hard (Bristol 1-2) or loose (6-7) stool
    stools_counted: int  # the stools of those abnormal days, which the subtype is computed from


def stool_pattern(days: Iterable[Day]) -> StoolPattern:
    """Rome IV subtypes by the stools of days with at least one abnormal movement, so normal days cannot
    dilute a pattern into IBS-U. Stools recorded but none abnormal is IBS-U (nothing to subtype by)."""
    with_stools = [d for d in days if d.stool_types]
    abnormal = [d for d in with_stools if any(t <= 2 or t >= 6 for t in d.stool_types)]
    counted = [t for d in abnormal for t in d.stool_types]
    subtype = rome_iv_subtype(counted) if counted else ("IBS-U" if with_stools else None)
    return StoolPattern(subtype, len(with_stools), len(abnormal), len(counted))


@dataclass(frozen=True)
class Window:
    """Outcomes of one period of days (days without an entry count as not recorded, not as good days)."""

    first_day: date
    last_day: date
    recorded_days: int
    migraine_days: int
    headache_days: int  # any headache, migraine included
    medication_days: dict[str, int]
    acute_medication_days: int
    stool_pattern: StoolPattern

    @property
    def length(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def missing_days(self) -> int:
        return self.length - self.recorded_days

    @property
    def complete(self) -> bool:
        """Enough of the period filled in for its rates to be compared."""
        return self.recorded_days >= days_needed(self.length)

    @property
    def migraine_rate(self) -> Fraction | None:
        """Migraine days per 28 days over the days actually filled in; None when none were."""
        if not self.recorded_days:
            return None
        return Fraction(self.migraine_days * WINDOW_DAYS, self.recorded_days)


def window(days: Iterable[Day], first_day: date, length: int = WINDOW_DAYS) -> Window:
    last_day = first_day + timedelta(days=length - 1)
    inside = _inside(days, first_day, last_day)
    return Window(
        first_day=first_day,
        last_day=last_day,
        recorded_days=len(inside),
        migraine_days=sum(1 for d in inside if d.headache == "migraine"),
        headache_days=sum(1 for d in inside if d.headache != "none"),
        medication_days=_days_per_class(inside),
        acute_medication_days=sum(1 for d in inside if d.medication),
        stool_pattern=stool_pattern(inside),
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


# Medication overuse, ICHD-3 8.2 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overuse:
    """Acute medication over the last 30 days against ICHD-3 8.2's monthly thresholds.

    The diagnosis of medication-overuse headache also needs the overuse to have lasted over 3 months and a
    clinician's judgement: this flags a month at overuse level, it diagnoses nothing."""

    first_day: date
    last_day: date
    recorded_days: int
    medication_days: dict[str, int]
    any_medication_days: int
    overused: tuple[str, ...]  # the classes at their own threshold, or ("several",) for ICHD-3 8.2.6

    @property
    def overuse(self) -> bool:
        """Counted days are a floor (a day not filled in may have had more), so overuse found is certain."""
        return bool(self.overused)

    @property
    def ruled_out(self) -> bool:
        """No overuse on a diary full enough to say so; below the floor, overuse can't be ruled out."""
        return not self.overused and self.recorded_days >= days_needed(MONTH_DAYS)

    @property
    def status(self) -> str:
        return "overuse" if self.overuse else "none" if self.ruled_out else "unknown"


def overuse(days: Iterable[Day], today: date) -> Overuse:
    """ICHD-3 8.2.1-8.2.5: one class on at least its own number of days; 8.2.6: acute medication of more than
    one class on 10 or more days in all, none of them overused alone (simple painkillers and NSAIDs count)."""
    first_day = today - timedelta(days=MONTH_DAYS - 1)
    inside = _inside(days, first_day, today)
    per_class = _days_per_class(inside)
    any_days = sum(1 for d in inside if d.medication)
    overused = tuple(kind for kind in MEDICATION_CLASSES if per_class[kind] >= OVERUSE_DAYS[kind])
    classes_used = sum(1 for count in per_class.values() if count)
    if not overused and classes_used > 1 and any_days >= SEVERAL_CLASSES_DAYS:
        overused = ("several",)
    return Overuse(first_day, today, len(inside), per_class, any_days, overused)


# Responder: the last 28 days against her first 28 --------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The last 28 days' migraine rate against her first 28 diary days' (the baseline).

    outcome: "responder" (at least 50% fewer migraine days per 28 days), "not_responder", "too_soon" (the last
    28 days still overlap the baseline), "no_baseline_migraines", "baseline_incomplete", "current_incomplete",
    or "no_diary"."""

    outcome: str
    baseline: Window | None
    current: Window
    next_possible: date | None = None  # for "too_soon": the first day the comparison can be made

    @property
    def known(self) -> bool:
        return self.outcome in ("responder", "not_responder")

    @property
    def fall(self) -> Fraction | None:
        """The fall in migraine days per 28 days as a share of the baseline's (negative: a rise)."""
        if not self.known or self.baseline is None:
            return None
        base, now = self.baseline.migraine_rate, self.current.migraine_rate
        assert base is not None and now is not None
        if base == 0:
            return None
        return (base - now) / base


def compare_with_baseline(days: Sequence[Day], today: date) -> Comparison:
    """Rates per 28 days over the days actually filled in, never raw counts (a gap is not a migraine-free day).

    The baseline is the 28 days from her first diary day; the current period is the 28 days to `today`, and
    must start after the baseline ends. The current period must be complete (21 of 28 days). An incomplete
    baseline still shows a real responder: the migraine days it recorded are the fewest it can have had, so a
    current rate at most half of that count is a responder however the missing days went."""
    current = window(days, today - timedelta(days=WINDOW_DAYS - 1))
    if not days:
        return Comparison("no_diary", None, current)
    baseline = window(days, min(d.day for d in days))
    if current.first_day <= baseline.last_day:
        return Comparison("too_soon", baseline, current, next_possible=baseline.last_day + timedelta(WINDOW_DAYS))
    return compare_windows(baseline, current)


def compare_windows(baseline: Window, current: Window) -> Comparison:
    """Responder or not: the current period's migraine rate against the baseline's, as compare_with_baseline
    reads them (also for any other pair of periods, e.g. the 28 days before a session and the latest 28)."""
    if not current.complete:
        return Comparison("current_incomplete", baseline, current)
    now = current.migraine_rate
    assert now is not None
    if baseline.complete:
        base = baseline.migraine_rate
        assert base is not None
        if base == 0:
            return Comparison("no_baseline_migraines", baseline, current)
        return Comparison("responder" if now <= base * RESPONDER_FALL else "not_responder", baseline, current)
    # The baseline's missing days could have been migraine days: only its recorded count is certain.
    if baseline.migraine_days and now <= baseline.migraine_days * RESPONDER_FALL:
        return Comparison("responder", baseline, current)
    return Comparison("baseline_incomplete", baseline, current)


# The migraine-gut link --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GutMigraineLink:
    """How often a bad gut day is followed by a migraine within 48 hours, against the other days (not against
    all days, which include the bad ones), as a risk ratio with its 95% interval (portal.triggers.stats)."""

    recorded_days: int
    bad_gut_days: int
    bad_gut_days_followed: int  # ... by a migraine on the next day or the one after
    other_days: int  # comparable days that were not bad gut days
    other_days_followed: int
    comparable_days: int  # recorded days whose next two days are recorded too

    @property
    def enough_data(self) -> bool:
        """Counted on the days the figure uses (those with their next two days filled in), not on diary days."""
        return self.comparable_days >= MIN_COMPARABLE_DAYS

    @property
    def after_bad_gut_rate(self) -> float | None:
        return self.bad_gut_days_followed / self.bad_gut_days if self.bad_gut_days else None

    @property
    def other_rate(self) -> float | None:
        return self.other_days_followed / self.other_days if self.other_days else None

    @property
    def ratio(self) -> RiskRatio | None:
        """None until there is enough data and at least one day on each side."""
        if not self.enough_data:
            return None
        return risk_ratio(self.bad_gut_days_followed, self.bad_gut_days, self.other_days_followed, self.other_days)


def gut_migraine_link(days: Iterable[Day]) -> GutMigraineLink:
    """Only days whose following two days are in the diary count, so gaps are never read as migraine-free."""
    by_day = {d.day: d for d in days}
    bad = followed = other = other_followed = 0
    for current in by_day.values():
        after = [by_day.get(current.day + timedelta(days=n)) for n in (1, 2)]
        if None in after:
            continue
        migraine_next = any(d is not None and d.headache == "migraine" for d in after)
        if current.bad_gut:
            bad += 1
            followed += migraine_next
        else:
            other += 1
            other_followed += migraine_next
    return GutMigraineLink(
        recorded_days=len(by_day),
        bad_gut_days=bad,
        bad_gut_days_followed=followed,
        other_days=other,
        other_days_followed=other_followed,
        comparable_days=bad + other,
    )
