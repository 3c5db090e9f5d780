"""The protocol's effect: for a published protocol, her diary in the 28 days before the session against the
latest 28 days, her questionnaire scores before and since, and her supplement ticks week by week beside her
headache days.

The figures (pure functions, then one loader):
- Migraine days, headache days (any headache, migraine included) and acute-medication days per 28 days, over
  the days actually filled in, each period saying on how many of its days it rests. The headache societies
  count migraine days per 28 days and call a responder a person with at least 50% fewer migraine days than
  at baseline (IHS guidelines: Diener et al., Cephalalgia 2020;40:1026-44; Tassorelli et al., Cephalalgia
  2018;38:815-32); the verdict is portal.questionnaires.diary.compare_windows, the diary's own rule, so a
  period with fewer than 21 of its 28 days filled in gives no verdict, and days not filled in are never good
  days.
- Questionnaires, the latest score submitted before the session against the latest since, with the smallest
  change that matters to one person (the minimal important change, MIC), lower being better on all four:
  IBS-SSS 50 points (Francis, Morris and Whorwell, Aliment Pharmacol Ther 1997;11:395-402); HIT-6 6 points,
  the within-person MIC by the ROC method in migraine patients in primary care (Smelt et al., Cephalalgia
  2014;34:29-36; Houts et al., Headache 2020;60:2003-13 found the same 6 points in chronic migraine). MIDAS and
  GSRS have no within-person MIC this portal can cite with confidence, so their change is shown without a
  verdict, and the page says so.
- Supplement adherence by week since the session: her ticks "taken" among the ticks she answered for this
  protocol's lines, beside that week's headache days and the days filled in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from portal.extensions import db
from portal.numbers import format_number
from portal.models import (
    Booking,
    DiaryEntry,
    ItemCategory,
    Protocol,
    ProtocolLine,
    PublishedHandout,
    QuestionnaireResponse,
    SupplementDose,
)
from portal.questionnaires.diary import WINDOW_DAYS, Comparison, Day, Window, compare_windows, window
from portal.questionnaires.diary_entries import days_since
from portal.questionnaires.responses import submitted_responses

# code: (minimal important change, its source); None: no MIC the portal can cite, the change has no verdict
MINIMAL_IMPORTANT_CHANGE: dict[str, tuple[float | None, str]] = {
    "hit6": (6, "Smelt et al., Cephalalgia 2014"),
    "midas": (None, "no published within-person threshold we can rely on"),
    "ibs_sss": (50, "Francis et al., Aliment Pharmacol Ther 1997"),
    "gsrs": (None, "no published within-person threshold we can rely on"),
}
INSTRUMENT_GROUPS = (("hit6", "midas"), ("ibs_sss", "gsrs"))  # migraine, then the gut
TITLES = {"hit6": "HIT-6", "midas": "MIDAS", "ibs_sss": "IBS-SSS", "gsrs": "GSRS"}
MAX_PROTOCOLS = 3  # in the case file, newest first
MAX_WEEKS = 12  # adherence weeks shown, the latest


def per_28(count: int, recorded_days: int) -> Fraction | None:
    """A count over the days filled in, scaled to 28 days; None when no day was filled in."""
    return Fraction(count * WINDOW_DAYS, recorded_days) if recorded_days else None


@dataclass(frozen=True)
class Period:
    """One period's diary figures per 28 days."""

    window: Window

    @property
    def migraine(self) -> Fraction | None:
        return per_28(self.window.migraine_days, self.window.recorded_days)

    @property
    def headache(self) -> Fraction | None:
        return per_28(self.window.headache_days, self.window.recorded_days)

    @property
    def acute_medication(self) -> Fraction | None:
        return per_28(self.window.acute_medication_days, self.window.recorded_days)


@dataclass(frozen=True)
class ScoreChange:
    code: str
    before: float | None
    before_on: date | None
    after: float | None
    after_on: date | None

    @property
    def title(self) -> str:
        return TITLES[self.code]

    @property
    def change(self) -> float | None:
        """After minus before (negative: lower, which is better on these four instruments)."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def mic(self) -> float | None:
        return MINIMAL_IMPORTANT_CHANGE[self.code][0]

    @property
    def source(self) -> str:
        return MINIMAL_IMPORTANT_CHANGE[self.code][1]

    @property
    def verdict(self) -> str:
        """better / worse (by at least the MIC), no_meaningful_change, no_threshold, or missing."""
        change = self.change
        if change is None:
            return "missing"
        if self.mic is None:
            return "no_threshold"
        if change <= -self.mic:
            return "better"
        if change >= self.mic:
            return "worse"
        return "no_meaningful_change"


@dataclass(frozen=True)
class AdherenceWeek:
    week: int  # 1: the session's day and the six after it
    first_day: date
    last_day: date
    taken: int  # ticks "taken"
    answered: int  # ticks answered, taken or not
    headache_days: int
    recorded_days: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.taken, self.answered) if self.answered else None


@dataclass(frozen=True)
class Effect:
    session_date: date
    session_title: str
    today: date
    before: Period  # the 28 days before the session
    after: Period | None  # the latest 28 days, from the session on; None before the session
    comparison: Comparison | None
    scores: list[ScoreChange]
    adherence: list[AdherenceWeek]
    has_supplements: bool

    @property
    def days_since(self) -> int:
        return (self.today - self.session_date).days

    @property
    def too_soon(self) -> bool:
        """Fewer than 28 days since the session: the latest period is shorter than 28 days."""
        return self.after is None or self.after.window.length < WINDOW_DAYS


def before_window(days: Iterable[Day], session_date: date) -> Window:
    return window(days, session_date - timedelta(days=WINDOW_DAYS), WINDOW_DAYS)


def after_window(days: Iterable[Day], session_date: date, today: date) -> Window | None:
    """The latest 28 days, but none before the session (shorter while fewer than 28 days have passed)."""
    if today < session_date:
        return None
    first = max(session_date, today - timedelta(days=WINDOW_DAYS - 1))
    return window(days, first, (today - first).days + 1)


def score_changes(scored: Sequence[tuple[str, date, float]], session_date: date) -> list[ScoreChange]:
    """(code, local day, total) oldest first -> for each instrument that has any score, the latest before the
    session's day against the latest from that day on. One per group: the instrument with both, HIT-6 and
    IBS-SSS first."""
    before: dict[str, tuple[date, float]] = {}
    after: dict[str, tuple[date, float]] = {}
    for code, day, total in scored:
        if code in MINIMAL_IMPORTANT_CHANGE:
            (before if day < session_date else after)[code] = (day, total)
    changes = []
    for group in INSTRUMENT_GROUPS:
        present = [
            ScoreChange(
                code,
                before.get(code, (None, None))[1],
                before.get(code, (None, None))[0],
                after.get(code, (None, None))[1],
                after.get(code, (None, None))[0],
            )
            for code in group
            if code in before or code in after
        ]
        if present:
            changes.append(min(present, key=lambda c: c.change is None))  # the first with both, else the first
    return changes


def adherence_weeks(
    ticks: Iterable[tuple[date, bool]], days: Iterable[Day], session_date: date, today: date
) -> list[AdherenceWeek]:
    """Week by week from the session's day to today (the latest MAX_WEEKS): ticks taken of ticks answered, and
    the week's headache days of its days filled in."""
    if today < session_date:
        return []
    weeks = (today - session_date).days // 7 + 1
    taken = [0] * weeks
    answered = [0] * weeks
    headaches = [0] * weeks
    recorded = [0] * weeks
    for day, was_taken in ticks:
        if session_date <= day <= today:
            n = (day - session_date).days // 7
            answered[n] += 1
            taken[n] += was_taken
    for d in days:
        if session_date <= d.day <= today:
            n = (d.day - session_date).days // 7
            recorded[n] += 1
            headaches[n] += d.headache != "none"
    result = []
    for n in range(weeks):
        first = session_date + timedelta(days=7 * n)
        last = min(first + timedelta(days=6), today)
        result.append(AdherenceWeek(n + 1, first, last, taken[n], answered[n], headaches[n], recorded[n]))
    return result[-MAX_WEEKS:]


def protocol_effect(
    session_date: date,
    session_title: str,
    days: Sequence[Day],
    scored: Sequence[tuple[str, date, float]],
    ticks: Sequence[tuple[date, bool]],
    has_supplements: bool,
    today: date,
) -> Effect:
    before = before_window(days, session_date)
    after = after_window(days, session_date, today)
    comparison = compare_windows(before, after) if after is not None and after.length == WINDOW_DAYS else None
    return Effect(
        session_date=session_date,
        session_title=session_title,
        today=today,
        before=Period(before),
        after=Period(after) if after is not None else None,
        comparison=comparison,
        scores=score_changes(scored, session_date),
        adherence=adherence_weeks(ticks, days, session_date, today) if has_supplements else [],
        has_supplements=has_supplements,
    )


# Loading --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedSession:
    booking_id: int
    session_date: date
    session_title: str


def sessions_of(handouts: Iterable[PublishedHandout]) -> list[PublishedSession]:
    """Published handouts as their sessions (the latest version's date and title), newest session first."""
    latest: dict[int, PublishedHandout] = {}
    for handout in sorted(handouts, key=lambda h: h.version):
        latest[handout.booking_id] = handout
    sessions = [PublishedSession(h.booking_id, h.session_date, h.session_title) for h in latest.values()]
    return sorted(sessions, key=lambda s: (s.session_date, s.booking_id), reverse=True)


def published_sessions(client_id: int) -> list[PublishedSession]:
    """Her sessions with a published handout, newest session first."""
    return sessions_of(db.session.execute(db.select(PublishedHandout).filter_by(client_id=client_id)).scalars())


def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def effects_for(
    client_id: int,
    tz: str,
    sessions: Sequence[PublishedSession],
    today: date,
    responses: Iterable[QuestionnaireResponse] | None = None,
) -> list[Effect]:
    """The effect of each of these sessions' protocols, in three queries (two when her submitted `responses`,
    loaded without their answers, are given)."""
    if not sessions:
        return []
    earliest = min(s.session_date for s in sessions) - timedelta(days=WINDOW_DAYS)
    days = days_since(client_id, earliest)
    submitted = sorted(
        submitted_responses(client_id) if responses is None else responses, key=lambda r: r.submission_time
    )
    scored = [
        (r.code, _local_day(r.submission_time, tz), r.total)
        for r in submitted
        if r.code in MINIMAL_IMPORTANT_CHANGE and r.total is not None
    ]
    lines: dict[int, set[int]] = {}  # booking: its supplement lines
    ticks_by_line: dict[int, list[tuple[date, bool]]] = {}
    for booking_id, line_id, day, taken in db.session.execute(
        db.select(Protocol.booking_id, ProtocolLine.id, DiaryEntry.day, SupplementDose.taken)
        .join(Protocol, Protocol.id == ProtocolLine.protocol_id)
        .outerjoin(
            SupplementDose,
            (SupplementDose.protocol_line_id == ProtocolLine.id) & (SupplementDose.client_id == client_id),
        )
        .outerjoin(DiaryEntry, DiaryEntry.id == SupplementDose.entry_id)
        .filter(
            Protocol.booking_id.in_([s.booking_id for s in sessions]),
            ProtocolLine.category == ItemCategory.SUPPLEMENT,
        )
    ):
        lines.setdefault(booking_id, set()).add(line_id)
        if day is not None:
            ticks_by_line.setdefault(line_id, []).append((day, taken))
    effects = []
    for session in sessions:
        own = lines.get(session.booking_id, set())
        ticks = [tick for line in own for tick in ticks_by_line.get(line, [])]
        effects.append(
            protocol_effect(session.session_date, session.session_title, days, scored, ticks, bool(own), today)
        )
    return effects


def case_file_effects(
    client_id: int,
    tz: str,
    handouts: Iterable[PublishedHandout],
    responses: Iterable[QuestionnaireResponse],
    today: date,
) -> list[Effect]:
    """The case file's: the protocols of these handouts (hers), newest first, at most MAX_PROTOCOLS; from the
    handouts and responses the case file has loaded already."""
    return effects_for(client_id, tz, sessions_of(handouts)[:MAX_PROTOCOLS], today, responses)


def since_last_session(booking: Booking, tz: str, today: date) -> Effect | None:
    """For the handout of `booking`: the effect of the latest protocol published for an earlier session."""
    session_day = _local_day(booking.starts_at, tz)
    earlier = [
        s for s in published_sessions(booking.client_id) if s.booking_id != booking.id and s.session_date < session_day
    ]
    found = effects_for(booking.client_id, tz, earlier[:1], today)
    return found[0] if found else None


# In plain words ---------------------------------------------------------------------------------------------


def _n(value: float | Fraction | None) -> str:
    return format_number(value, 1)


def responder_words(effect: Effect) -> str:
    """The migraine-day verdict in a sentence."""
    if effect.after is None:
        return "The session has not happened yet."
    after = effect.after.window
    if effect.comparison is None:
        ready = effect.session_date + timedelta(days=WINDOW_DAYS - 1)
        return (
            f"It is {effect.days_since} days since the session: the comparison needs 28 days after it "
            f"(on {ready:%-d %B %Y}). Until then the latest figures rest on {after.recorded_days} of "
            f"{after.length} days."
        )
    outcome, fall = effect.comparison.outcome, effect.comparison.fall
    before = effect.before.window
    if outcome == "responder":
        less = f" ({format_number(fall * 100, 0)}% fewer)" if fall is not None else ""
        return f"At least half as many migraine days as before{less}: a response, as headache specialists define it."
    if outcome == "not_responder":
        change = f"{format_number(fall * 100, 0)}% fewer" if fall is not None and fall >= 0 else "not fewer"
        return f"Migraine days {change}: not yet the half fewer that headache specialists call a response."
    if outcome == "no_baseline_migraines":
        return "No migraine days in the 28 days before the session, so there is nothing to halve."
    if outcome == "baseline_incomplete":
        return (
            f"Only {before.recorded_days} of the 28 days before the session were filled in: too few to say "
            "whether migraine days halved."
        )
    return (
        f"Only {after.recorded_days} of the latest 28 days were filled in: too few to say whether migraine days halved."
    )


def score_words(change: ScoreChange) -> str:
    if change.before is None or change.before_on is None:
        return f"{_n(change.after)} since the session; no score from before it to compare with."
    if change.after is None or change.after_on is None:
        return f"{_n(change.before)} before the session; none since yet."
    difference = change.after - change.before
    moved = "the same" if difference == 0 else f"{_n(abs(difference))} {'lower' if difference < 0 else 'higher'}"
    said = (
        f"{_n(change.before)} on {change.before_on:%-d %b %Y}, {_n(change.after)} on {change.after_on:%-d %b %Y}: "
        f"{moved}"
    )
    verdict = change.verdict
    if verdict == "better":
        return f"{said}, at least the {_n(change.mic)} points that matter to one person: better."
    if verdict == "worse":
        return f"{said}, at least the {_n(change.mic)} points that matter to one person: worse."
    if verdict == "no_meaningful_change":
        return f"{said}, less than the {_n(change.mic)} points that matter to one person."
    return f"{said} (there is no agreed size of change that matters for this questionnaire, so no verdict)."
