"""The practice's books: payments recorded by hand, and the lists and totals of what was received.

Card payments are in card.py, refunds in refunds.py, the CSV export in export.py.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, Payment, PaymentMethod, PaymentStatus, RefundStatus, User
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


def practice_payments(practitioner_id: int | None) -> list[Payment]:
    """Every payment received for her sessions (None: the whole practice's), newest first, with client,
    service and refunds."""
    query = (
        db.select(Payment)
        .join(Booking, Booking.id == Payment.booking_id)
        .filter(Payment.status == PaymentStatus.SUCCEEDED)
    )
    if practitioner_id is not None:
        query = query.filter(Booking.practitioner_id == practitioner_id)
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
