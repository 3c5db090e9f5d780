"""The practice's books: payments recorded by hand, and the lists and totals of what was received.

Card payments are in card.py, refunds in refunds.py, the CSV export in export.py.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.inputs import iso_day
from portal.models import (
    Booking,
    BookingStatus,
    PackageCredit,
    Payment,
    PaymentMethod,
    PaymentStatus,
    RefundStatus,
    User,
)
from portal.payments import receipts


class PaymentError(Exception):
    """Something about a payment or refund that can't be done; str() is the message for the person."""


def record_manual_payment(
    booking: Booking, amount_minor: int, method: PaymentMethod, note: str, actor: User
) -> Payment:
    """A payment taken by other means than a card, committed."""
    payment = add_manual_payment(booking, amount_minor, method, note, actor)
    db.session.commit()
    return payment


def add_manual_payment(booking: Booking, amount_minor: int, method: PaymentMethod, note: str, actor: User) -> Payment:
    """A payment taken by other means than a card, in the caller's transaction."""
    if method == PaymentMethod.CARD:
        raise PaymentError("Card payments are taken online; record cash, bank transfer or other.")
    if amount_minor <= 0:
        raise PaymentError("Enter an amount above 0.")
    payment = Payment(
        booking_id=booking.id,
        client_id=booking.client_id,
        method=method.value,
        status=PaymentStatus.SUCCEEDED.value,
        amount_minor=amount_minor,
        currency=booking.currency,
        note=note[:300],
        recorded_by_id=actor.id,
        succeeded_at=utcnow(),
    )
    db.session.add(payment)
    db.session.flush()  # its id, for the receipt's number and link
    receipts.queue_receipt(payment)
    return payment


def paid_now(method: PaymentMethod, note: str, actor: User) -> Callable[[Booking], None]:
    """Booking for a client, "paid now": each session booked gets its full price recorded as paid by `method`,
    in the booking's transaction (booking.lifecycle.book_for_client's `paid_by`)."""

    def pay(booking: Booking) -> None:
        add_manual_payment(booking, booking.price_minor, method, note, actor)

    return pay


# Reading ---------------------------------------------------------------------------------------------------


def payments_for_booking(booking_id: int) -> list[Payment]:
    return list(
        db.session.execute(
            db.select(Payment)
            .filter_by(booking_id=booking_id)
            .options(selectinload(Payment.refunds))
            .order_by(Payment.id)
        ).scalars()
    )


def client_payments(client_id: int) -> list[Payment]:
    return list(
        db.session.execute(
            db.select(Payment)
            .filter(Payment.client_id == client_id, Payment.status == PaymentStatus.SUCCEEDED)
            .options(selectinload(Payment.refunds), selectinload(Payment.booking).selectinload(Booking.service))
            .order_by(Payment.succeeded_at.desc())
        ).scalars()
    )


@dataclass
class MonthTotal:
    month: date
    currency: str
    received_minor: int = 0
    refunded_minor: int = 0

    @property
    def net_minor(self) -> int:
        return self.received_minor - self.refunded_minor


@dataclass(frozen=True)
class Period:
    """The days a list of payments covers, both ends included, as chosen on the payments page (None: open)."""

    first: date | None = None
    last: date | None = None

    @property
    def link_args(self) -> dict[str, str]:
        """The period as a link's ?from=&to= (the open ends left out)."""
        ends = {"from": self.first, "to": self.last}
        return {name: day.isoformat() for name, day in ends.items() if day is not None}

    def bounds(self, tz: str) -> tuple[datetime | None, datetime | None]:
        """[from, until) in UTC: midnight at the start of `first` and after `last`, in zone `tz`."""
        zone = ZoneInfo(tz)

        def midnight(day: date | None) -> datetime | None:
            return None if day is None else datetime.combine(day, time(0), zone).astimezone(UTC)

        return midnight(self.first), midnight(self.last + timedelta(days=1) if self.last else None)


def read_period(raw_from: str | None, raw_to: str | None) -> tuple[Period, dict[str, str]]:
    """The period asked for (?from=2026-01-01&to=2026-03-31; either may be left out), and a message per bad field."""
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        text = (raw or "")[:40].strip()
        days[name] = iso_day(text) if text else None
        if text and days[name] is None:
            problems[name] = "Enter a date between 1900 and 2100, written like 2026-03-31."
    first, last = days["from"], days["to"]
    if first and last and first > last:
        problems["to"] = "The end date is before the start date."
    return (Period() if problems else Period(first, last)), problems


def practice_payments(practitioner_id: int | None, period: Period = Period(), tz: str = "UTC") -> list[Payment]:
    """Every payment received for her sessions (None: the whole practice's) in the period (its days in zone
    `tz`), newest first, with client, service and refunds."""
    query = (
        db.select(Payment)
        .join(Booking, Booking.id == Payment.booking_id)
        .filter(Payment.status == PaymentStatus.SUCCEEDED)
    )
    if practitioner_id is not None:
        query = query.filter(Booking.practitioner_id == practitioner_id)
    since, until = period.bounds(tz)
    if since is not None:
        query = query.filter(Payment.succeeded_at >= since)
    if until is not None:
        query = query.filter(Payment.succeeded_at < until)
    return list(
        db.session.execute(
            query.options(
                selectinload(Payment.refunds),
                selectinload(Payment.client),
                selectinload(Payment.booking).selectinload(Booking.service),
            ).order_by(Payment.succeeded_at.desc())
        ).scalars()
    )


def monthly_totals(payments: list[Payment], tz: str) -> list[MonthTotal]:
    """Money in and refunds out per calendar month (in her zone) and currency, newest month first."""
    zone, totals = ZoneInfo(tz), OrderedDict[tuple[date, str], MonthTotal]()

    def bucket(when: datetime, currency: str) -> MonthTotal:
        month = when.astimezone(zone).date().replace(day=1)
        return totals.setdefault((month, currency), MonthTotal(month, currency))

    for payment in payments:
        assert payment.succeeded_at is not None  # received payments
        bucket(payment.succeeded_at, payment.currency).received_minor += payment.amount_minor
        for refund in payment.refunds:
            if refund.status != RefundStatus.FAILED:
                bucket(refund.created_at, payment.currency).refunded_minor += refund.amount_minor
    return sorted(totals.values(), key=lambda total: (total.month, total.currency), reverse=True)


@dataclass(frozen=True)
class StillToPay:
    booking: Booking
    paid_minor: int  # succeeded payments less their refunds

    @property
    def due_minor(self) -> int:
        return self.booking.price_minor - self.paid_minor


def still_to_pay(practitioner_id: int | None, limit: int = 50) -> tuple[list[StillToPay], int]:
    """Sessions confirmed or completed, with a price, not on a package credit, whose payments (net of refunds)
    fall short of the price: the oldest `limit` of them with client and service, and how many there are."""
    paid = (
        db.select(Payment.booking_id, db.func.sum(Payment.amount_minor - Payment.refunded_minor).label("paid"))
        .filter(Payment.status == PaymentStatus.SUCCEEDED)
        .group_by(Payment.booking_id)
        .subquery()
    )
    paid_minor = db.func.coalesce(paid.c.paid, 0)
    query = (
        db.select(Booking, paid_minor)
        .outerjoin(paid, paid.c.booking_id == Booking.id)
        .filter(
            Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]),
            Booking.price_minor > 0,
            paid_minor < Booking.price_minor,
            ~db.exists().where(PackageCredit.booking_id == Booking.id),
        )
    )
    if practitioner_id is not None:
        query = query.filter(Booking.practitioner_id == practitioner_id)
    count = db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.options(selectinload(Booking.client), selectinload(Booking.service))
        .order_by(Booking.starts_at, Booking.id)
        .limit(limit)
    ).all()
    return [StillToPay(booking, int(paid)) for booking, paid in rows], count
