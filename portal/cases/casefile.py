"""Everything the case file shows about one client, loaded in a fixed number of queries whatever her history:
profile, intake answers, sessions with their payment state, scores with charts and flags, the diary, her
notes and handouts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy.orm import joinedload, load_only, selectinload

from portal.cases import notes as case_notes
from portal.cases import templates as note_templates
from portal.extensions import db
from portal.handouts.handouts import published_handouts
from portal.models import (
    Assignment,
    Booking,
    BookingStatus,
    ClientProfile,
    Note,
    NoteTemplate,
    Payment,
    PaymentStatus,
    ProfileChange,
    PublishedHandout,
    QuestionnaireResponse,
    User,
)
from portal.money import format_money
from portal.questionnaires import custom, diary_entries, progress
from portal.questionnaires.attention import Flag, score_flags
from portal.questionnaires.instruments import Instrument
from portal.questionnaires.responses import submitted_responses
from portal.records import profiles
from portal.triggers import loader as trigger_loader
from portal.triggers.words import Described
from portal.triggers.words import describe as describe_triggers


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


def age_on(born: date, today: date) -> int:
    """Whole years from `born` to `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


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
    responses: list[QuestionnaireResponse]  # oldest first
    chart: Markup | None
    flags: list[Flag]

    @property
    def latest(self) -> QuestionnaireResponse:
        return self.responses[-1]

    @property
    def first(self) -> QuestionnaireResponse:
        return self.responses[0]


@dataclass
class CaseFile:
    client: User
    profile: ClientProfile | None
    profile_changes: list[ProfileChange]  # newest first
    upcoming: list[Session]
    past: list[Session]
    scores: list[Scores]
    intake: list[Answered]  # her intake questionnaires and any without a score, newest first
    overview: diary_entries.Overview
    notes: list[tuple[Note, int]]  # (note, number of amendments), newest first
    handouts: list[PublishedHandout]  # hers for this client, newest first
    waiting: list[str]  # questionnaires sent and not yet answered, e.g. "HIT-6 (every 4 weeks)"
    templates: list[NoteTemplate]
    triggers: Described  # the trigger finder and her cycle (the last two years)

    @property
    def drafts(self) -> list[Note]:
        return [note for note, _ in self.notes if not note.is_signed]


def _title(code: str, instruments: dict[str, Instrument]) -> str:
    return instruments[code].title if code in instruments else "A questionnaire no longer offered"


@dataclass(frozen=True)
class Answered:
    """A questionnaire answered as part of her intake, or one without a score: shown answer by answer."""

    response: QuestionnaireResponse  # loaded without its answers (see responses.submitted_responses)
    title: str
    instrument: Instrument | None  # its items, to show each answer in words
    answers: dict = field(default_factory=dict)


def with_answers(answered: list[Answered]) -> list[Answered]:
    """The same, each with its answers: one query for all of them."""
    ids = [a.response.id for a in answered]
    found = {
        response_id: answers
        for response_id, answers in db.session.execute(
            db.select(QuestionnaireResponse.id, QuestionnaireResponse.answers).filter(QuestionnaireResponse.id.in_(ids))
        )
    }
    return [replace(a, answers=found.get(a.response.id) or {}) for a in answered]


def group_responses(
    client: User,
    responses: list[QuestionnaireResponse],
    instruments: dict[str, Instrument],
    intake_assignments: set[int],
) -> tuple[list[Scores], list[Answered]]:
    """Instruments with a score (chart and flags, as on her progress page), and the answers to read one by
    one: her intake questionnaires and any without a score. Scored intake answers appear in both."""
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for response in responses:
        by_code.setdefault(response.code, []).append(response)
    charts = progress.score_charts(by_code, instruments)
    scores, answers = [], []
    for code, items in by_code.items():
        title = _title(code, instruments)
        if code in charts:
            scores.append(Scores(code, title, items, charts[code], score_flags(client, code, title, items)))
        answers += [
            Answered(r, title, instruments.get(code))
            for r in items
            if code not in charts or r.assignment_id in intake_assignments
        ]
    scores.sort(key=lambda s: s.latest.submission_time, reverse=True)
    answers.sort(key=lambda a: a.response.submission_time, reverse=True)
    return scores, answers


def latest_responses(responses: list[QuestionnaireResponse]) -> list[QuestionnaireResponse]:
    """Each instrument's most recent submitted response, newest first."""
    latest: dict[str, QuestionnaireResponse] = {}
    for response in responses:  # oldest first, so later ones win
        latest[response.code] = response
    return sorted(latest.values(), key=lambda r: r.submission_time, reverse=True)


def note_context(client: User, today: date, tz: str) -> str:
    """The latest scores and diary figures a new note opens with (three queries)."""
    responses = submitted_responses(client.id)
    titles = {code: instrument.title for code, instrument in custom.catalogue().items()}
    return case_notes.context_summary(latest_responses(responses), diary_entries.overview(client.id, today), tz, titles)


def load_case_file(
    client: User, practitioner: User, today: date, now: datetime, *, without_period: bool = False
) -> CaseFile:
    """The whole case file; the number of queries does not grow with her sessions, answers, notes or diary.
    `without_period`: the trigger finder leaves out the days around her period."""
    bookings = (
        db.session.execute(  # newest first; joined, so an empty history makes no second query
            db.select(Booking)
            .filter_by(client_id=client.id)
            .options(joinedload(Booking.service))
            .order_by(Booking.starts_at.desc())
        )
        .scalars()
        .all()
    )
    payments = (
        db.session.execute(  # what the payment state needs: no (encrypted) notes decrypted
            db.select(Payment)
            .filter(Payment.client_id == client.id, Payment.booking_id.is_not(None))  # a package's: not a session's
            .order_by(Payment.id)
            .options(
                load_only(
                    Payment.booking_id, Payment.status, Payment.amount_minor, Payment.refunded_minor, raiseload=True
                )
            )
        )
        .scalars()
        .all()
    )
    by_booking: dict[int, list[Payment]] = {}
    for payment in payments:
        if payment.booking_id is not None:
            by_booking.setdefault(payment.booking_id, []).append(payment)
    notes = case_notes.client_notes(client.id, practitioner.id)
    notes_by_booking: dict[int, list[Note]] = {}
    for note, _ in notes:
        if note.booking_id is not None:
            notes_by_booking.setdefault(note.booking_id, []).append(note)
    sessions = [
        Session(b, payment_state(b, by_booking.get(b.id, [])), notes_by_booking.get(b.id, [])) for b in bookings
    ]

    upcoming = [s for s in reversed(sessions) if s.booking.is_upcoming(now)]  # soonest first
    past = [s for s in sessions if not s.booking.is_upcoming(now)]  # latest first
    instruments = custom.catalogue()
    assignments = (
        db.session.execute(db.select(Assignment).filter_by(client_id=client.id).order_by(Assignment.next_due))
        .scalars()
        .all()
    )
    scores, intake = group_responses(
        client, submitted_responses(client.id), instruments, {a.id for a in assignments if a.intake}
    )
    intake = with_answers(intake)
    return CaseFile(
        client=client,
        profile=profiles.profile_for(client.id),
        profile_changes=profiles.profile_changes(client.id),
        upcoming=upcoming,
        past=past,
        scores=scores,
        intake=intake,
        overview=diary_entries.overview(client.id, today),
        notes=notes,
        handouts=[h for h in published_handouts(client.id) if h.practitioner_id == practitioner.id],
        waiting=[
            _title(a.code, instruments) + (f" (every {a.every_weeks} weeks)" if a.every_weeks else "")
            for a in assignments
            if a.active
        ],
        templates=note_templates.templates_of(practitioner.id),
        triggers=describe_triggers(
            trigger_loader.trigger_report(client.id, today, without_period=without_period), "her"
        ),
    )


def bookings_for_notes(client_id: int) -> list[Booking]:
    """Her sessions a note can be started from (not cancelled or expired), newest first."""
    return list(
        db.session.execute(
            db.select(Booking)
            .filter(
                Booking.client_id == client_id, Booking.status.not_in([BookingStatus.CANCELLED, BookingStatus.EXPIRED])
            )
            .options(selectinload(Booking.service))
            .order_by(Booking.starts_at.desc())
        ).scalars()
    )
