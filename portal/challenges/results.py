"""What each phase of a challenge showed, side by side. Pure: plain days in, plain figures out.

Days not filled in are never good days: each phase says on how many of its days it rests, and its migraine
rate per 28 days is only given when enough of the phase was filled in (the diary's own rule, three quarters
of the days: portal.questionnaires.diary.days_needed). Measures left unanswered on a day (None) count for
nothing: a mean intensity is over the headache days whose intensity was given, a mean bloating over the days
bloating was answered. Abnormal stools are Bristol types 1-2 (hard) and 6-7 (loose), as Rome IV reads the
Bristol scale (Lacy et al., Gastroenterology 2016;150:1393-1407).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from portal.challenges.phases import RUNNING_PHASES, Phase, Schedule, ends_on, phase_span
from portal.questionnaires.diary import WINDOW_DAYS, days_needed

MARKED_BLOATING = 6  # the gut view's "bad gut day" threshold


@dataclass(frozen=True)
class ChallengeDiaryDay:
    """One diary day as the results read it; None is "not answered"."""

    day: date
    headache: str = "none"  # none, headache or migraine
    intensity: int | None = None  # peak 0-10, on a headache day
    bloating: int | None = None  # 0-10
    stool_types: tuple[int, ...] = ()


@dataclass(frozen=True)
class PhaseResult:
    phase: Phase
    first_day: date
    last_day: date  # the last day counted: the phase's end, the day it was stopped, or today
    days: int  # days of the phase counted so far (0: not reached)
    recorded_days: int  # ... with a diary entry
    migraine_days: int
    headache_days: int  # any headache, migraine included
    intensities: tuple[int, ...]  # peak intensity of each headache day that gave one
    bloating_answers: tuple[int, ...]
    stools: int  # stools recorded
    abnormal_stools: int  # ... of Bristol type 1-2 or 6-7
    answered_days: int  # days she answered "did you have it today?"
    ate_days: int  # ... with yes

    @property
    def complete(self) -> bool:
        return self.days > 0 and self.recorded_days >= days_needed(self.days)

    @property
    def migraine_rate(self) -> Fraction | None:
        """Migraine days per 28 days over the days filled in; None unless the phase is complete enough."""
        if not self.complete:
            return None
        return Fraction(self.migraine_days * WINDOW_DAYS, self.recorded_days)

    @property
    def mean_intensity(self) -> float | None:
        return sum(self.intensities) / len(self.intensities) if self.intensities else None

    @property
    def mean_bloating(self) -> float | None:
        return sum(self.bloating_answers) / len(self.bloating_answers) if self.bloating_answers else None

    @property
    def marked_bloating_days(self) -> int:
        return sum(1 for b in self.bloating_answers if b >= MARKED_BLOATING)

    @property
    def abnormal_stool_share(self) -> Fraction | None:
        return Fraction(self.abnormal_stools, self.stools) if self.stools else None


def _abnormal(bristol: int) -> bool:
    return bristol <= 2 or bristol >= 6


def phase_result(
    phase: Phase,
    first: date,
    last: date,
    by_day: Mapping[date, ChallengeDiaryDay],
    answers: Mapping[date, bool],
) -> PhaseResult:
    span = [first + timedelta(days=n) for n in range(max(0, (last - first).days + 1))]
    recorded = [by_day[d] for d in span if d in by_day]
    headache = [d for d in recorded if d.headache != "none"]
    stools = [t for d in recorded for t in d.stool_types]
    answered = [answers[d] for d in span if d in answers]
    return PhaseResult(
        phase=phase,
        first_day=first,
        last_day=last,
        days=len(span),
        recorded_days=len(recorded),
        migraine_days=sum(1 for d in recorded if d.headache == "migraine"),
        headache_days=len(headache),
        intensities=tuple(d.intensity for d in headache if d.intensity is not None),
        bloating_answers=tuple(d.bloating for d in recorded if d.bloating is not None),
        stools=len(stools),
        abnormal_stools=sum(1 for t in stools if _abnormal(t)),
        answered_days=len(answered),
        ate_days=sum(answered),
    )


def challenge_results(
    schedule: Schedule, days: Iterable[ChallengeDiaryDay], answers: Mapping[date, bool], today: date
) -> list[PhaseResult]:
    """Each running phase's figures, counted up to today and up to the day the challenge was stopped."""
    by_day = {d.day: d for d in days}
    until = min(today, ends_on(schedule))
    results = []
    for phase in RUNNING_PHASES:
        first, last = phase_span(schedule, phase)
        results.append(phase_result(phase, first, min(last, until), by_day, answers))
    return results
