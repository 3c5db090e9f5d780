"""The trigger finder's figures in plain sentences, the same on her diary page, the practitioner's pages and
the handout: "After days with aged cheese, a migraine followed 6 times in 9 (67%); after days without, 8 times
in 61 (13%)", and "about 5 times as likely (95% interval 2.1 to 12)"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.numbers import format_number
from portal.triggers.cycle import CYCLES_NEEDED, CYCLES_READ, CycleSummary
from portal.triggers.finder import GUT, MIN_DAYS, Finding, TriggerReport
from portal.triggers.stats import RiskRatio

NOT_PROOF = (
    "A possible trigger is not proof: with a few dozen days, a pattern can appear by chance, and things that "
    "come together (cheese with wine, a late meal after a stressful day) can't be told apart here."
)
TO_KNOW = {
    "your": "To know, try an elimination challenge with your practitioner: leave it out for a few weeks, then "
    "bring it back and watch what happens.",
    "her": "To know, test it with an elimination challenge: out for a few weeks, then reintroduced and watched.",
}


def figure(value: float) -> str:
    """Two significant figures, as a person reads a ratio: 12, 5.1, 0.45."""
    if value >= 10:
        return format_number(round(value), 0)
    if value >= 1:
        return format_number(value, 1)
    return format_number(value, 2)


def percent(part: int, whole: int) -> str:
    return f"{format_number(100 * part / whole, 0)}%"


def times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def likelihood(rr: RiskRatio) -> str:
    """'about 5.1 times as likely (95% interval 2.1 to 12)'."""
    interval = f"(95% interval {figure(rr.low)} to {figure(rr.high)})"
    if 0.95 <= rr.ratio < 1.05:
        return f"about as likely {interval}"
    return f"about {figure(rr.ratio)} times as likely {interval}"


def finding_sentence(f: Finding) -> str:
    what = "a bad gut day followed the next day" if f.outcome == GUT else "a migraine followed"
    if not f.enough_data:
        return (
            f"Not enough data yet: this needs at least {MIN_DAYS} {f.factor.phrase} and {MIN_DAYS} without "
            f"({f.n1} and {f.n0} so far)."
        )
    return (
        f"After {f.factor.phrase}, {what} {times(f.a)} in {f.n1} ({percent(f.a, f.n1)}); after days without, "
        f"{times(f.c)} in {f.n0} ({percent(f.c, f.n0)})."
    )


def cycle_sentence(cycle: CycleSummary, whose: str = "your") -> str:
    found = len(cycle.cycles)
    if not found:
        return "No cycle found yet: it starts from the days marked “period today”."
    counted = len(cycle.read)
    cycles = f"{found} cycle{'s' if found != 1 else ''} found"
    if not cycle.enough_cycles:
        return (
            f"{cycles}; not enough cycles yet: this needs {CYCLES_READ} with all five days around the period "
            f"filled in ({counted} so far)."
        )
    sentence = (
        f"{cycles}. Migraines fell in the five days around the period in {cycle.cycles_with_migraine} of the last "
        f"{CYCLES_READ} cycles"
    )
    if cycle.clustered:
        return f"{sentence}: {whose} migraines may be linked to {whose} cycle."
    return f"{sentence} (a link needs at least {CYCLES_NEEDED} of {CYCLES_READ})."


@dataclass(frozen=True)
class Line:
    """One factor against one outcome, ready to show."""

    label: str
    sentence: str
    likelihood: str  # "" without enough data
    possible_trigger: bool
    days: int  # the days it rests on


@dataclass(frozen=True)
class CycleLine:
    first_day: date
    window: str  # "10–14 Jan"
    recorded: bool
    migraine: bool


@dataclass(frozen=True)
class Described:
    """The whole trigger finder in words, for a page or the handout."""

    migraine: tuple[Line, ...]  # with enough data, sorted as the finder sorts
    gut: tuple[Line, ...]
    too_few_migraine: tuple[Line, ...]  # not enough data yet, by name
    too_few_gut: tuple[Line, ...]
    migraine_days: int
    gut_days: int
    without_period: bool
    left_out_for_period: int
    cycle: str
    cycle_clustered: bool
    cycles: tuple[CycleLine, ...]  # the latest few, newest first
    not_proof: tuple[str, str]

    @property
    def possible_migraine(self) -> tuple[Line, ...]:
        return tuple(line for line in self.migraine if line.possible_trigger)

    @property
    def possible_gut(self) -> tuple[Line, ...]:
        return tuple(line for line in self.gut if line.possible_trigger)

    @property
    def other_migraine(self) -> tuple[Line, ...]:
        """Enough data, and no clear link."""
        return tuple(line for line in self.migraine if not line.possible_trigger)

    @property
    def other_gut(self) -> tuple[Line, ...]:
        return tuple(line for line in self.gut if not line.possible_trigger)

    @property
    def empty(self) -> bool:
        return not (self.migraine or self.gut or self.too_few_migraine or self.too_few_gut)


def _line(f: Finding) -> Line:
    return Line(f.factor.label, finding_sentence(f), likelihood(f.ratio) if f.ratio else "", f.possible_trigger, f.days)


def _span(days: tuple[date, ...]) -> str:
    first, last = days[0], days[-1]
    if first.month == last.month:
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b} – {last.day} {last:%b}"


def describe(report: TriggerReport, whose: str = "your", cycles_shown: int = 6) -> Described:
    return Described(
        migraine=tuple(_line(f) for f in report.migraine if f.enough_data),
        gut=tuple(_line(f) for f in report.gut if f.enough_data),
        too_few_migraine=tuple(_line(f) for f in report.migraine if not f.enough_data),
        too_few_gut=tuple(_line(f) for f in report.gut if not f.enough_data),
        migraine_days=report.migraine_days,
        gut_days=report.gut_days,
        without_period=report.without_period,
        left_out_for_period=report.left_out_for_period,
        cycle=cycle_sentence(report.cycle, whose),
        cycle_clustered=report.cycle.clustered,
        cycles=tuple(
            CycleLine(c.first_day, _span(c.window), c.window_recorded, c.migraine_in_window)
            for c in reversed(report.cycle.cycles[-cycles_shown:])
        ),
        not_proof=(NOT_PROOF, TO_KNOW.get(whose, TO_KNOW["her"])),
    )
