"""Test rows made the way the portal makes them: bookings through the booking rules, payments through the ledger
(or the card path against localstripe), questionnaire responses scored on submit, with their answers encrypted
by the same column types as real ones. tests/conftest.py exposes them as the fixtures `make_booking`,
`make_payment`, `make_response` and `count_queries`; the benchmarks import `count_queries` from here.

Where the domain stamps "now" on a row (a payment's succeeded_at, a response's submitted_at), a factory may move
that stamp back afterwards, as if the row had been written then: said in each docstring.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event

from portal.booking import bookings, lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    Assignment,
    Booking,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    QuestionnaireResponse,
    Service,
    User,
)
from portal.payments import card, gateway, ledger, refunds
from portal.payments.ledger import PaymentError
from portal.questionnaires import responses
from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.scoring import HIT6_POINTS

# Bookings --------------------------------------------------------------------------------------------------------

PAST_STATUSES = (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def first_free_start(service: Service, day: date) -> datetime:
    """The first time on `day` (in her zone) her diary offers for `service`, as if asked just before that day."""
    rules = bookings.rules_for(service.practitioner_id)
    midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(rules.timezone))
    asked_at = midnight - timedelta(minutes=rules.min_notice_minutes + 1)
    availability = bookings.load_availability(service.practitioner_id, asked_at)
    free = availability.free(timedelta(minutes=service.duration_minutes), asked_at, first_day=day, last_day=day)
    if not free:
        raise ValueError(f"{service.name} can't be booked on {day}: no free time in her hours that day")
    return free[0]


def book(
    client: User,
    service: Service,
    *,
    start: datetime | None = None,
    in_days: int | None = None,
    status: BookingStatus | str = BookingStatus.CONFIRMED,
    reason: str = "",
) -> Booking:
    """A booking made by `client` through booking.lifecycle.book, then moved to `status` by the domain:
    cancelled by the practitioner (lifecycle.cancel), completed or a no-show (record_outcome, which refuses a
    session that has not started), expired (expire_holds once its hold has run out).

    `start` is an exact time her booking rules must allow (her hours, the slot step, free); without it, the first
    free time `in_days` days from today (default: a week ahead, or a week ago for completed and no-show).
    A session in the past, or sooner than her minimum notice, is booked as the client would have booked it then:
    lifecycle.book is told that "now" was just far enough before the start, which is how the domain itself
    takes time as a parameter. Its history's timestamps are still today's.
    """
    status = BookingStatus(status)
    if start is None:
        rules = bookings.rules_for(service.practitioner_id)
        today = utcnow().astimezone(ZoneInfo(rules.timezone)).date()
        days = in_days if in_days is not None else (-7 if status in PAST_STATUSES else 7)
        start = first_free_start(service, today + timedelta(days=days))
    booked_at = _booked_at(service, start)
    booking = lifecycle.book(
        client,
        service,
        start,
        now=booked_at,
        needs_payment=status in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED),
    )
    practitioner = db.session.get(User, service.practitioner_id)
    if status == BookingStatus.CANCELLED:
        lifecycle.cancel(booking, practitioner, reason=reason, now=booked_at)
    elif status in PAST_STATUSES:
        lifecycle.record_outcome(booking, status, practitioner)
    elif status == BookingStatus.EXPIRED:
        lifecycle.expire_holds(now=booking.hold_expires_at)
        db.session.refresh(booking)
    return booking


def _booked_at(service: Service, start: datetime) -> datetime:
    """Now, if the rules let her book `start` now; else the moment her minimum notice before it."""
    rules = bookings.rules_for(service.practitioner_id)
    now, notice = utcnow(), timedelta(minutes=rules.min_notice_minutes)
    zone = ZoneInfo(rules.timezone)
    within_horizon = start.astimezone(zone).date() <= now.astimezone(zone).date() + timedelta(days=rules.horizon_days)
    return now if start >= now + notice and within_horizon else start - notice


# Payments --------------------------------------------------------------------------------------------------------


def pay(
    booking: Booking,
    amount_minor: int | None = None,
    *,
    method: PaymentMethod | str = PaymentMethod.CASH,
    status: PaymentStatus | str = PaymentStatus.SUCCEEDED,
    refunded_minor: int = 0,
    note: str = "",
    at: datetime | None = None,
) -> Payment:
    """A payment for `booking` (its price unless `amount_minor`), as the ledger takes it.

    Cash, bank transfer and other: record_manual_payment by the practitioner (always succeeded).
    Card (the app must talk to localstripe, see `stripe_settings`, and the booking wait for payment):
    pending is card_payment_for (a real PaymentIntent); failed is a declined test card; succeeded is the
    test card paid and card.fulfil run as the webhook runs it, which confirms the booking.
    `refunded_minor` is then refunded through refund_payment. `at` back-dates succeeded_at, which the
    ledger stamps with the moment of recording.
    """
    method, status = PaymentMethod(method), PaymentStatus(status)
    practitioner = db.session.get(User, booking.practitioner_id)
    if method == PaymentMethod.CARD:
        payment = _card_payment(booking, status)
    else:
        if status != PaymentStatus.SUCCEEDED:
            raise ValueError("a payment recorded by hand has succeeded; only card payments are pending or failed")
        amount = booking.price_minor if amount_minor is None else amount_minor
        payment = ledger.record_manual_payment(booking, amount, method, note, practitioner)
    if refunded_minor:
        refunds.refund_payment(payment, refunded_minor, "Refunded in a test", practitioner)
    if at is not None:
        payment.succeeded_at = at
        db.session.commit()
    return payment


def _card_payment(booking: Booking, status: PaymentStatus) -> Payment:
    if not gateway.enabled():
        raise ValueError("card payments need an app on localstripe: use the stripe_settings fixture")
    payment = card.card_payment_for(booking)
    if status == PaymentStatus.FAILED:
        try:
            card.pay_with_test_card(payment, "pm_card_chargeCustomerFail")
        except PaymentError:
            return payment
        raise AssertionError("localstripe accepted a card that should be declined")
    if status == PaymentStatus.SUCCEEDED:
        intent = gateway.pay_with_test_card(payment.stripe_payment_intent_id, "pm_card_visa")
        card.fulfil(intent.id, intent.amount, intent.currency)
        db.session.refresh(payment)
        db.session.refresh(booking)
    elif status != PaymentStatus.PENDING:
        raise ValueError(f"a card payment can't be made {status}")
    return payment


# Questionnaire responses -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scored:
    """How a validated instrument adds up: each scored item's possible answers and the points each is worth."""

    items: dict[str, tuple]
    points: dict[str, int] = field(default_factory=dict)  # key -> multiplier (IBS-SSS pain days count 10 each)
    fixed: dict[str, object] = field(default_factory=dict)  # required answers that are not points
    per_item_mean: bool = False  # GSRS: the total is the mean of the items


def _range(low: int, high: int) -> tuple[int, ...]:
    return tuple(range(high, low - 1, -1))


# PHQ-9 item 9 (thoughts of self-harm) and MIDAS items 2 and 4 (days already counted by 1 and 3) stay 0 unless
# the test gives them: a total alone never raises the alert or breaks MIDAS's 90-day rule.
_SCORED = {
    "phq9": _Scored({**{str(n): _range(0, 3) for n in range(1, 9)}, "9": (0,)}),
    "gad7": _Scored({str(n): _range(0, 3) for n in range(1, 8)}),
    "hit6": _Scored({str(n): tuple(reversed(HIT6_POINTS)) for n in range(1, 7)}),
    "midas": _Scored({"1": _range(0, 90), "2": (0,), "3": _range(0, 90), "4": (0,), "5": _range(0, 90)}),
    "ibs_sss": _Scored(
        {
            "pain_days": _range(0, 10),
            "pain_severity": _range(0, 100),
            "distension_severity": _range(0, 100),
            "bowel_dissatisfaction": _range(0, 100),
            "life_interference": _range(0, 100),
        },
        points={"pain_days": 10},
        fixed={"has_pain": True, "has_distension": True},
    ),
    "gsrs": _Scored({str(n): _range(1, 7) for n in range(1, 16)}, per_item_mean=True),
    "id_migraine": _Scored({key: (True, False) for key in ("disability", "nausea", "photophobia")}),
}


def answers_for(code: str, total: float, given: Mapping[str, object] | None = None) -> dict[str, object]:
    """Answers to a validated instrument that score `total`, keeping the answers `given`."""
    shape = _SCORED.get(code)
    if shape is None:
        raise ValueError(f"give the answers to {code}: the factory can only work out answers for {list(_SCORED)}")
    given = dict(given or {})
    answers = {**shape.fixed, **given}

    def worth(key: str, value: object) -> int:
        return int(value) * shape.points.get(key, 1)

    target = round(total * len(shape.items)) if shape.per_item_mean else total
    open_keys = [key for key in shape.items if key not in given]
    remaining = target - sum(worth(key, value) for key, value in given.items() if key in shape.items)
    chosen = _fill(open_keys, remaining, shape, worth)
    if chosen is None:
        raise ValueError(f"no answers to {code} add up to {total}")
    answers.update(chosen)
    if code == "midas":
        answers.setdefault("A", max(answers[str(n)] for n in range(1, 6)))
        answers.setdefault("B", 5)
    return answers


def _fill(keys: list[str], remaining: float, shape: _Scored, worth) -> dict[str, object] | None:
    """Answers for `keys` worth exactly `remaining`, largest first (a depth-first search with bounds)."""
    if not keys:
        return {} if remaining == 0 else None
    key, rest = keys[0], keys[1:]
    low = sum(min(worth(k, v) for v in shape.items[k]) for k in rest)
    high = sum(max(worth(k, v) for v in shape.items[k]) for k in rest)
    for value in shape.items[key]:
        left = remaining - worth(key, value)
        if low <= left <= high:
            found = _fill(rest, left, shape, worth)
            if found is not None:
                return {key: value, **found}
    return None


def respond(
    client: User,
    code: str,
    *,
    answers: Mapping[str, object] | None = None,
    total: float | None = None,
    days_ago: float = 0,
    submitted_at: datetime | None = None,
    assignment: Assignment | None = None,
) -> QuestionnaireResponse:
    """A submitted response: a draft (draft_for an `assignment`, or one started as draft_for starts it),
    answered item by item with save_answer and sent with responses.submit, which scores it; so total, band,
    subscores and flags are the scoring's and the answers are stored encrypted.

    Give `answers`, or a `total` (with any `answers` to keep, e.g. {"9": 1} for PHQ-9's alert) and the factory
    chooses answers that score it. `days_ago` or `submitted_at` back-date the response, which submit stamps
    with the moment it is sent.
    """
    if total is not None:
        answers = answers_for(code, total, answers)
    if not answers:
        raise ValueError("give the answers or a total")
    if assignment is not None:
        draft = responses.draft_for(assignment)
    else:
        draft = QuestionnaireResponse(
            client_id=client.id, code=code, version=responses.instrument_for(code, None).version, answers={}
        )
        db.session.add(draft)
        db.session.commit()
    instrument = responses.instrument_for(code, None, draft.version)
    items = {item.key: item for item in instrument.items}
    for key, value in answers.items():
        if key not in items:
            raise ValueError(f"{code} has no item {key!r}")
        responses.save_answer(draft, items[key], value)
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    response = responses.submit(draft, today).response
    if total is not None and response.total != total:
        raise ValueError(f"{code} answers score {response.total}, not {total}")
    if submitted_at is None and days_ago:
        submitted_at = utcnow() - timedelta(days=days_ago)
    if submitted_at is not None:
        response.started_at = response.submitted_at = submitted_at
        db.session.commit()
    return response


# Counting SQL ----------------------------------------------------------------------------------------------------


@dataclass
class Queries:
    """The SQL statements executed while counting."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[Queries]:
    """Count the statements sent to the database (db.engine of the app in context, by default) inside the block:

    with count_queries() as queries:
        browser.get(url)
    assert queries.count <= 20
    """
    engine = engine if engine is not None else db.engine
    queries = Queries()

    def listener(conn, cursor, statement, parameters, context, executemany):
        queries.statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def placeholder_wording(codes: tuple[str, ...] = ("midas", "hit6", "ibs_sss", "gsrs")) -> dict[str, dict]:
    """A stand-in for a practice's licensed wording (made-up words, never the real ones), in the shape of
    LICENSED_CONTENT_FILE, for tests that send licensed questionnaires."""
    return {
        code: {"items": {item.key: f"Test wording {item.key}" for item in INSTRUMENTS[code].items}} for code in codes
    }
