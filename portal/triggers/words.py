"""The trigger finder's figures in plain sentences, the same on her diary page, the practitioner's pages and
the handout: "After days with aged cheese, a migraine followed 6 times in 9 (67%); after days without, 8 times
in 61 (13%)", and "about 5 times as likely (95% interval 2.1 to 12)"."""

from __future__ import annotations

from portal.numbers import format_number
from portal.triggers.cycle import CYCLES_NEEDED, CYCLES_READ, CycleSummary
from portal.triggers.finder import GUT, MIN_DAYS, Finding
from portal.triggers.stats import RiskRatio

NOT_PROOF = (
    "A possible trigger is not proof: with a few dozen days, a pattern can appear by chance, and things that "
    "come together (cheese with wine, a late meal after a stressful day) can't be told apart here.",
    "To know, try an elimination challenge with your practitioner: leave it out for a few weeks, then bring it "
    "back and watch what happens.",
)


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
    if rr.ratio < 1:
        return f"less likely: about {figure(rr.ratio)} times as likely {interval}"
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
