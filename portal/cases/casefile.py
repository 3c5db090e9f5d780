"""Everything the case file shows about one client, loaded in a fixed number of queries whatever her history:
profile, intake answers, sessions with their payment state, scores with charts and flags, the diary, her
notes and handouts."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import selectinload

from portal.booking.bookings import client_bookings
from portal.extensions import db
from portal.models import (
    Assignment, Booking, BookingStatus, ClientProfile, Note, NoteTemplate, Payment, PaymentStatus, ProfileChange, Response,
    User,
)
from portal.money import format_money
from portal.questionnaires import diary_entries
from portal.questionnaires.attention import Flag, _score_flags
from portal.questionnaires.charts import score_chart
from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.responses import submitted_responses
from portal.questionnaires.scoring import BANDS_BY_CODE, RANGES_BY_CODE
from portal.cases import notes as case_notes
from portal.records import profiles
from portal.cases import templates as note_templates


@dataclass(frozen=True)
class PaymentState:
    kind: str  # free, paid, part_paid, refunded, part_refunded, due, card_due, none
    label: str


def payment_state(booking: Booking, payments: list[Payment]) -> PaymentState:
    """What has been paid for a session, in a few words."""
    if booking.price_minor == 0:
        return PaymentState("free", "Free")
    received = [p for p in payments if p.status == PaymentStatus.SUCCEEDED]
    paid = sum(p.amount_minor for p in received)
    refunded = sum(p.refunded_minor for p in received)
    money = lambda minor: format_money(minor, booking.currency)  # noqa: E731
    if paid and refunded >= paid:
        return PaymentState("refunded", f"Refunded {money(refunded)}")
    if refunded:
        return PaymentState("part_refunded", f"Paid {money(paid)}, {money(refunded)} refunded")
    if paid >= booking.price_minor:
        return PaymentState("paid", f"Paid {money(paid)}")
    if paid:
        return PaymentState("part_paid", f"{money(paid)} of {money(booking.price_minor)} paid")
    if booking.status == BookingStatus.PENDING_PAYMENT:
        return PaymentState("card_due", "Awaiting card payment")
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        return PaymentState("none", "Nothing paid")
    return PaymentState("due", f"{money(booking.price_minor)} to pay")


@dataclass
class Session:
    booking: Booking
    payment: PaymentState
    notes: list[Note] = field(default_factory=list)


@dataclass
class Scores:
    """One instrument's answers over time."""

    code: str
    title: str
    responses: list[Response]  # oldest first
    chart: Markup | None
    flags: list[Flag]

    @property
    def latest(self) -> Response:
        return self.responses[-1]

    @property
    def first(self) -> Response:
        return self.responses[0]


@dataclass(frozen=True)
class Answered:
    """A questionnaire answered without a score chart (an intake form, a screener), item by item."""

    response: Response
    title: str
    rows: list[tuple[str, str]]  # (question, answer in words)


@dataclass
class CaseFile:
    client: User
    profile: ClientProfile | None
    profile_changes: list[ProfileChange]  # newest first
    upcoming: list[Session]
    past: list[Session]
    scores: list[Scores]
    intake: list[Answered]  # questionnaires without a score chart (intake, screeners, her own), newest first
    overview: diary_entries.Overview
    notes: list[tuple[Note, int]]  # (note, number of amendments), newest first
    handouts: list[Any] | None  # None while the handouts area is not installed
    waiting: list[str]  # questionnaires sent and not yet answered, e.g. "HIT-6 (every 4 weeks)"
    templates: list[NoteTemplate]

    @property
    def drafts(self) -> list[Note]:
        return [note for note, _ in self.notes if not note.is_signed]


def _optional(module: str, function: str, *args: Any) -> Any:
    """What another area's function returns, or None while that area is not part of the portal."""
    try:
        found = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None
    return found(*args)


def instrument_title(code: str) -> str:
    return INSTRUMENTS[code].title if code in INSTRUMENTS else code.replace("_", " ").capitalize()


def answer_words(value: object) -> str:
    if value is True or value is False:
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return "–" if value is None or value == "" else str(value)


def answered(response: Response) -> Answered:
    instrument = INSTRUMENTS.get(response.code)
    texts = {item.key: item.text for item in instrument.items} if instrument else {}
    rows = [(texts.get(key, key.replace("_", " ").capitalize()), answer_words(value))
            for key, value in response.answers.items()]
    return Answered(response, instrument_title(response.code), rows)


def chart_for(code: str, responses: list[Response]) -> Markup | None:
    """The score over time with its published bands, as on her progress page."""
    if code not in RANGES_BY_CODE:
        return None
    low, high = RANGES_BY_CODE[code]
    return score_chart([(r.submitted_at.date(), r.total) for r in responses if r.total is not None], low=low,
                       high=high, bands=BANDS_BY_CODE.get(code, []), title=f"{instrument_title(code)} over time")


def group_scores(client: User, responses: list[Response]) -> tuple[list[Scores], list[Answered]]:
    """Scored instruments (with chart and flags), and the rest as intake answers."""
    by_code: dict[str, list[Response]] = {}
    intake = []
    for response in responses:
        if response.code in RANGES_BY_CODE:
            by_code.setdefault(response.code, []).append(response)
        else:
            intake.append(answered(response))
    scores = []
    for code, items in by_code.items():
        title = instrument_title(code)
        scores.append(Scores(code, title, items, chart_for(code, items), _score_flags(client, code, title, items)))
    scores.sort(key=lambda s: s.latest.submitted_at, reverse=True)
    return scores, intake[::-1]


def latest_responses(responses: list[Response]) -> list[Response]:
    """Each instrument's most recent submitted response, newest first."""
    latest: dict[str, Response] = {}
    for response in responses:  # oldest first, so later ones win
        latest[response.code] = response
    return sorted(latest.values(), key=lambda r: r.submitted_at, reverse=True)


def note_context(client: User, today: date, tz: str) -> str:
    """The latest scores and diary figures a new note opens with (two queries)."""
    responses = submitted_responses(client.id)
    return case_notes.context_summary(latest_responses(responses), diary_entries.overview(client.id, today), tz)


def load_case_file(client: User, practitioner: User, today: date, now: datetime) -> CaseFile:
    """The whole case file; the number of queries does not grow with her sessions, answers, notes or diary."""
    bookings = client_bookings(client.id)  # newest first, with services
    payments = db.session.execute(
        db.select(Payment).filter_by(client_id=client.id).order_by(Payment.id)).scalars().all()
    by_booking: dict[int, list[Payment]] = {}
    for payment in payments:
        by_booking.setdefault(payment.booking_id, []).append(payment)
    notes = case_notes.client_notes(client.id, practitioner.id)
    notes_by_booking: dict[int, list[Note]] = {}
    for note, _ in notes:
        if note.booking_id is not None:
            notes_by_booking.setdefault(note.booking_id, []).append(note)
    sessions = [Session(b, payment_state(b, by_booking.get(b.id, [])), notes_by_booking.get(b.id, []))
                for b in bookings]
    upcoming = [s for s in reversed(sessions) if s.booking.ends_at > now
                and s.booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)]
    past = [s for s in sessions if s not in upcoming]
    scores, intake = group_scores(client, submitted_responses(client.id))
    return CaseFile(
        client=client,
        profile=profiles.profile_for(client.id),
        profile_changes=profiles.profile_changes(client.id),
        upcoming=upcoming, past=past, scores=scores, intake=intake,
        overview=diary_entries.overview(client.id, today),
        notes=notes,
        handouts=_optional("portal.handouts.handouts", "published_handouts", client.id),
        waiting=[instrument_title(a.code) + (f" (every {a.every_weeks} weeks)" if a.every_weeks else "")
                 for a in db.session.execute(db.select(Assignment).filter_by(client_id=client.id, active=True)
                                             .order_by(Assignment.next_due)).scalars()],
        templates=note_templates.templates_of(practitioner.id),
    )


def bookings_for_notes(client_id: int) -> list[Booking]:
    """Her sessions a note can be started from (not cancelled or expired), newest first."""
    return list(db.session.execute(
        db.select(Booking).filter(Booking.client_id == client_id,
                                  Booking.status.not_in([BookingStatus.CANCELLED, BookingStatus.EXPIRED]))
        .options(selectinload(Booking.service)).order_by(Booking.starts_at.desc())).scalars())
