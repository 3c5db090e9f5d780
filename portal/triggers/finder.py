"""The trigger finder: for each food or habit tag, and for short sleep, poor sleep and high stress, how often a
migraine (or a bad gut day) followed days with it against days without it, as a risk ratio with its 95%
interval (portal.triggers.stats).

The rules (stated in the README):
- Migraine outcome: a migraine on the next day or the one after (the gut view's 48 hours). Both of those days
  must be filled in, or the day is left out: a gap is never read as "no migraine".
- Gut outcome: a bad gut day (Bristol 1-2 or 6-7, or bloating 6+) on the next day, which must be filled in with
  its gut answered (a stool or a bloating score).
- Food and habit tags count only on days marked "I logged all my meals": there a tag present is "had it" and a
  tag absent is "did not have it". Other days count for no tag.
- Sleep and stress factors count on the days where that measure was answered: slept under 6 hours (the night
  before the day), sleep quality 3 or less (of 10), stress 7 or more (of 10).
- Optionally, days around her period are left out: a day is left out when it or either of its next two days
  is in a perimenstrual window (portal.triggers.cycle), so cycle-linked migraines are not blamed on food.
- A factor needs at least 5 days with it and 5 without, or it says "not enough data yet". It is called a
  possible trigger only when the lower bound of the interval is above 1.
- Sorted: possible triggers by their lower bound (highest first), then the other factors with enough data by
  their ratio, then those without enough data by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from portal.triggers.cycle import CycleDay, CycleSummary, cycle_summary
from portal.triggers.stats import RiskRatio, risk_ratio

MIN_DAYS = 5  # days with the factor and days without, each
SHORT_SLEEP_MINUTES = 6 * 60
POOR_SLEEP_QUALITY = 3
HIGH_STRESS = 7
MIGRAINE = "migraine"
GUT = "gut"


def is_bad_gut(stool_types: Iterable[int], bloating: int | None) -> bool:
    """A bad gut day: Bristol 1-2 or 6-7 at least once, or bloating of 6 or more (None: not answered), as the
    diary's migraine-gut view defines it (Rome IV's hard and loose stools, Lacy et al., Gastroenterology
    2016;150:1393-1407)."""
    return (bloating is not None and bloating >= 6) or any(t <= 2 or t >= 6 for t in stool_types)


@dataclass(frozen=True)
class JournalDay:
    """One diary day with what the finder needs; None is "not answered"."""

    day: date
    headache: str = "none"  # none, headache or migraine
    stool_types: tuple[int, ...] = ()
    bloating: int | None = None
    all_meals_logged: bool = False
    tags: frozenset[str] = frozenset()  # tag codes: her meals' tags and the day's tags
    sleep_minutes: int | None = None
    sleep_quality: int | None = None
    stress: int | None = None
    period: bool | None = None

    @property
    def gut_answered(self) -> bool:
        return bool(self.stool_types) or self.bloating is not None

    @property
    def bad_gut(self) -> bool:
        return is_bad_gut(self.stool_types, self.bloating)


@dataclass(frozen=True)
class Tag:
    code: str
    label: str  # in the practice's words: "Aged cheese"
    group: str = "food"  # food, fodmap or habit


@dataclass(frozen=True)
class Factor:
    key: str  # a tag code, or one of MEASURES' keys
    label: str
    phrase: str  # "days with aged cheese", for the sentence
    kind: str  # "tag" or "measure"


# The factors derived from the day's measures: key -> (label, phrase, exposed?(day) or None if not answered)
MEASURES: dict[str, tuple[str, str, Callable[[JournalDay], bool | None]]] = {
    "short_sleep": (
        "Slept under 6 hours",
        "nights of under 6 hours' sleep",
        lambda d: None if d.sleep_minutes is None else d.sleep_minutes < SHORT_SLEEP_MINUTES,
    ),
    "poor_sleep": (
        "Poor sleep (quality 3 or less)",
        "nights of poor sleep (quality 3 or less of 10)",
        lambda d: None if d.sleep_quality is None else d.sleep_quality <= POOR_SLEEP_QUALITY,
    ),
    "high_stress": (
        "High stress (7 or more)",
        "days of high stress (7 or more of 10)",
        lambda d: None if d.stress is None else d.stress >= HIGH_STRESS,
    ),
}


@dataclass(frozen=True)
class Finding:
    """One factor against one outcome."""

    factor: Factor
    outcome: str  # MIGRAINE or GUT
    a: int  # days with the factor followed by the outcome
    n1: int  # days with the factor
    c: int  # days without it followed by the outcome
    n0: int  # days without it
    ratio: RiskRatio | None  # None without enough data

    @property
    def enough_data(self) -> bool:
        return self.ratio is not None

    @property
    def possible_trigger(self) -> bool:
        return self.ratio is not None and self.ratio.low > 1

    @property
    def days(self) -> int:
        return self.n1 + self.n0


@dataclass(frozen=True)
class TriggerReport:
    migraine: tuple[Finding, ...]  # sorted
    gut: tuple[Finding, ...]
    migraine_days: int  # days with a known migraine outcome (after any leaving out)
    gut_days: int
    cycle: CycleSummary
    without_period: bool  # days around her period left out
    left_out_for_period: int  # days left out for that

    @property
    def possible_triggers(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.migraine + self.gut if f.possible_trigger)


def _lower_first(label: str) -> str:
    """'Aged cheese' -> 'aged cheese'; 'MSG' and 'GOS (beans)' stay as they are."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def tag_factor(tag: Tag) -> Factor:
    name = _lower_first(tag.label)
    phrase = f"days marked “{name}”" if tag.group == "habit" else f"days with {name}"
    return Factor(tag.code, tag.label, phrase, "tag")


def _sort_key(finding: Finding) -> tuple[int, float, str]:
    if finding.ratio is None:
        return (2, 0.0, finding.factor.label.lower())
    if finding.possible_trigger:
        return (0, -finding.ratio.low, finding.factor.label.lower())
    return (1, -finding.ratio.ratio, finding.factor.label.lower())


def _finding(factor: Factor, outcome: str, a: int, n1: int, c: int, n0: int) -> Finding:
    ratio = risk_ratio(a, n1, c, n0) if n1 >= MIN_DAYS and n0 >= MIN_DAYS else None
    return Finding(factor, outcome, a, n1, c, n0, ratio)


def _measure_finding(factor: Factor, outcome: str, exposures: Iterable[tuple[bool | None, bool | None]]) -> Finding:
    """From (exposed?, outcome?) per day, None meaning unknown (the day is left out)."""
    a = n1 = c = n0 = 0
    for exposed, happened in exposures:
        if exposed is None or happened is None:
            continue
        if exposed:
            n1 += 1
            a += happened
        else:
            n0 += 1
            c += happened
    return _finding(factor, outcome, a, n1, c, n0)


Known = tuple[bool | None, bool | None]  # (migraine outcome, gut outcome) of a day


def _tag_counts(rows: list[tuple[JournalDay, Known]], index: int) -> tuple[int, int, dict[str, list[int]]]:
    """Over the "all meals logged" days whose outcome `index` is known, in one pass whatever the number of tags:
    (days, days followed, {tag: [days with it, of which followed]})."""
    total = followed = 0
    per_tag: dict[str, list[int]] = {}
    for d, known in rows:
        happened = known[index]
        if happened is None or not d.all_meals_logged:
            continue
        total += 1
        followed += happened
        for code in d.tags:
            counts = per_tag.setdefault(code, [0, 0])
            counts[0] += 1
            counts[1] += happened
    return total, followed, per_tag


def outcomes(days: Iterable[JournalDay]) -> dict[date, Known]:
    """Per day: (migraine on the next day or the one after, bad gut on the next day); None when not known."""
    by_day = {d.day: d for d in days}
    result = {}
    for day in by_day:
        one, two = by_day.get(day + timedelta(days=1)), by_day.get(day + timedelta(days=2))
        migraine = None if one is None or two is None else MIGRAINE in (one.headache, two.headache)
        gut = one.bad_gut if one is not None and one.gut_answered else None
        result[day] = (migraine, gut)
    return result


def find_triggers(
    days: Iterable[JournalDay],
    tags: Mapping[str, Tag],
    *,
    without_period: bool = False,
    cycle: CycleSummary | None = None,
) -> TriggerReport:
    """Every factor against both outcomes. `tags` names the tag codes (a code not in it is shown by its code);
    the tags listed are those that appear on any day. `cycle` is computed from the days when not given."""
    diary = sorted(days, key=lambda d: d.day)
    if cycle is None:
        cycle = cycle_summary(CycleDay(d.day, d.period, d.headache == MIGRAINE) for d in diary)
    known = outcomes(diary)
    left_out = 0
    if without_period:
        around = cycle.perimenstrual_days
        kept = [d for d in diary if not any(d.day + timedelta(days=n) in around for n in (0, 1, 2))]
        left_out = len(diary) - len(kept)
        diary = kept
    rows = [(d, known[d.day]) for d in diary]
    tag_factors = [
        tag_factor(tags.get(code) or Tag(code, code)) for code in sorted(set().union(*(d.tags for d in diary)))
    ]
    migraine: list[Finding] = []
    gut: list[Finding] = []
    for findings, outcome, index in ((migraine, MIGRAINE, 0), (gut, GUT, 1)):
        total, followed, per_tag = _tag_counts(rows, index)
        for factor in tag_factors:
            n1, a = per_tag.get(factor.key, (0, 0))
            findings.append(_finding(factor, outcome, a, n1, followed - a, total - n1))
        for key, (label, phrase, exposed) in MEASURES.items():
            per_day = [(exposed(d), known[index]) for d, known in rows]
            if any(e is not None for e, _ in per_day):
                findings.append(_measure_finding(Factor(key, label, phrase, "measure"), outcome, per_day))
    return TriggerReport(
        migraine=tuple(sorted(migraine, key=_sort_key)),
        gut=tuple(sorted(gut, key=_sort_key)),
        migraine_days=sum(o[0] is not None for _, o in rows),
        gut_days=sum(o[1] is not None for _, o in rows),
        cycle=cycle,
        without_period=without_period,
        left_out_for_period=left_out,
    )
