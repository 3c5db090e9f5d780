"""Her menstrual cycle from "period today": cycle day 1, the perimenstrual window, and whether migraines
cluster in it.

Source: ICHD-3 (Headache Classification Committee of the IHS, Cephalalgia 2018;38:1-211), Appendix A1.1
menstrual migraine: A1.1.1 pure menstrual migraine (attacks exclusively on day 1 ± 2, i.e. days −2 to +3, of
menstruation in at least two out of three menstrual cycles) and A1.1.2 menstrually related migraine (the same,
and attacks at other times of the cycle too). ICHD-3 counts the first day of bleeding as day 1 and the day
before as day −1: there is no day 0, so the window is five calendar days, from two days before day 1 to
two days after it.

The portal's rules (stated in the README):
- Cycle day 1 is a day marked "period today" when the day before is filled in without a period and no day of
  the 7 days before it is marked as a period (bleeding that stops and starts again within a week is the same
  period). A period whose day before is not filled in has an unknown start: it is no cycle day 1.
- A cycle counts towards clustering only when all five of its window days are filled in, so a gap is never
  read as "no migraine". Clustering is read on the latest three such cycles: a migraine in the window in at
  least two of them. With fewer than three, there are not enough cycles yet.
- This shows a pattern the ICHD-3 criteria describe; the diagnosis (which also needs the attacks to be
  migraine without aura, confirmed prospectively) is the clinician's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

BEFORE = 2  # window days before day 1 (days −2 and −1)
AFTER = 2  # window days after day 1 (days +2 and +3 in ICHD-3's counting)
PERIOD_FREE_DAYS = 7  # a period day is a new cycle only after this many days without a period mark
CYCLES_READ = 3  # "in at least two out of three menstrual cycles"
CYCLES_NEEDED = 2


@dataclass(frozen=True)
class CycleDay:
    """What the cycle needs of one diary day."""

    day: date
    period: bool | None  # None: not answered
    migraine: bool


@dataclass(frozen=True)
class Cycle:
    first_day: date  # cycle day 1
    window: tuple[date, ...]  # the five perimenstrual days
    window_recorded: bool  # all five filled in
    migraine_in_window: bool


@dataclass(frozen=True)
class CycleSummary:
    cycles: tuple[Cycle, ...]  # every cycle day 1 found, oldest first
    read: tuple[Cycle, ...]  # the latest cycles (up to 3) with their window filled in, oldest first
    perimenstrual_days: frozenset[date]  # the window days of every cycle found

    @property
    def enough_cycles(self) -> bool:
        return len(self.read) >= CYCLES_READ

    @property
    def cycles_with_migraine(self) -> int:
        return sum(c.migraine_in_window for c in self.read)

    @property
    def clustered(self) -> bool:
        """Migraines in the window in at least 2 of the latest 3 cycles with their window filled in."""
        return self.enough_cycles and self.cycles_with_migraine >= CYCLES_NEEDED


def window_of(first_day: date) -> tuple[date, ...]:
    """ICHD-3's days −2 to +3 of menstruation (no day 0): two days before day 1 to two days after."""
    return tuple(first_day + timedelta(days=n) for n in range(-BEFORE, AFTER + 1))


def cycle_starts(days: Mapping[date, CycleDay]) -> list[date]:
    """Every cycle day 1, oldest first (see the module's rule)."""
    starts = []
    for day in sorted(d for d, entry in days.items() if entry.period):
        before = days.get(day - timedelta(days=1))
        if before is None or before.period:
            continue
        earlier = (days.get(day - timedelta(days=n)) for n in range(2, PERIOD_FREE_DAYS + 1))
        if any(e is not None and e.period for e in earlier):
            continue
        starts.append(day)
    return starts


def cycle_summary(diary: Iterable[CycleDay]) -> CycleSummary:
    days = {d.day: d for d in diary}
    cycles = []
    for first in cycle_starts(days):
        window = window_of(first)
        entries = [days.get(d) for d in window]
        recorded = all(e is not None for e in entries)
        cycles.append(Cycle(first, window, recorded, any(e is not None and e.migraine for e in entries)))
    read = [c for c in cycles if c.window_recorded][-CYCLES_READ:]
    perimenstrual = frozenset(d for c in cycles for d in c.window)
    return CycleSummary(tuple(cycles), tuple(read), perimenstrual)
