"""Paying for bookings: card payments through Stripe fulfilled once from its webhook, payments recorded by
hand, refunds that never exceed what was paid, and the lists and totals the practitioner needs.

Each step that must happen once is a conditional UPDATE checked by its row count, which is atomic on
SQLite and PostgreSQL alike, so duplicate or concurrent webhook deliveries can't fulfil twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.booking import bookings
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    Service,
    StripeEvent,
    User,
)
from portal.money import format_money
from portal.payments import gateway

log = logging.getLogger(__name__)


class PaymentError(Exception):
    """Something about a payment or refund that can't be done; str() is the message for the person."""


def needs_card_payment(service: Service) -> bool:
    return service.price_minor > 0 and gateway.enabled()


# Card payments -----------------------------------------------------------------------------------------


def card_payment_for(booking: Booking) -> Payment:
    """The booking's open card payment, starting one (a PaymentIntent) the first time.

    The amount and currency come from the booking, which took them from the service when it was made.
    """
    if booking.status != BookingStatus.PENDING_PAYMENT:
        raise PaymentError("This booking is not waiting for a payment.")
    payments = (
        db.session.execute(db.select(Payment).filter_by(booking_id=booking.id, method=PaymentMethod.CARD))
        .scalars()
        .all()
    )
    for payment in payments:
        if payment.status == PaymentStatus.PENDING:
            return payment
    intent = gateway.create_intent(
        booking.price_minor,
        booking.currency,
        booking.id,
        idempotency_key=f"booking-{booking.uid}-attempt-{len(payments) + 1}",
    )
    payment = Payment(
        booking_id=booking.id,
        client_id=booking.client_id,
        method=PaymentMethod.CARD.value,
        status=PaymentStatus.PENDING.value,
        amount_minor=booking.price_minor,
        currency=booking.currency,
        stripe_payment_intent_id=intent.id,
        stripe_client_secret=intent.client_secret,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def pay_with_test_card(payment: Payment, card: str) -> None:
    """Offline demo and tests: confirm with one of Stripe's test cards. A decline is kept on the payment."""
    try:
        gateway.pay_with_test_card(payment.stripe_payment_intent_id, card)
    except gateway.CardDeclined as declined:
        # The next try starts a fresh PaymentIntent: localstripe can't re-confirm a declined one.
        payment.failure_message = str(declined)[:300]
        payment.status = PaymentStatus.FAILED.value
        db.session.commit()
        gateway.cancel_intent(payment.stripe_payment_intent_id)
        raise PaymentError(f"{declined} Your time is still held for you: try another card.") from None
    except gateway.GatewayError as error:
        raise PaymentError(str(error)) from None


@dataclass(frozen=True)
class Outcome:
    fulfilled: bool = False  # this call confirmed the payment
    refunded: bool = False  # ... and had to give the money back (time taken, booking cancelled, paid twice)


def fulfil(intent_id: str, amount_minor: int, currency: str) -> Outcome:
    """Stripe says this PaymentIntent succeeded. Runs its effects exactly once, whatever the order or
    number of deliveries."""
    payment = db.session.execute(db.select(Payment).filter_by(stripe_payment_intent_id=intent_id)).scalar_one_or_none()
    if payment is None:
        log.warning("payment_intent.succeeded for an unknown intent")
        return Outcome()
    if amount_minor != payment.amount_minor or currency.upper() != payment.currency:
        log.error("payment_intent.succeeded with an amount that does not match: payment=%s", payment.id)
        return Outcome()
    if not _mark_succeeded(payment):
        return Outcome()
    booking = db.session.get(Booking, payment.booking_id)
    already_paid = db.session.scalar(
        db.select(db.func.count())
        .select_from(Payment)
        .filter(Payment.booking_id == booking.id, Payment.id != payment.id, Payment.status == PaymentStatus.SUCCEEDED)
    )
    if not already_paid and bookings.confirm_paid(booking):
        from portal.booking.notify import notify_booking
        from portal.questionnaires.responses import assign_intake_set

        notify_booking(booking.id, "confirmed")
        client = db.session.get(User, booking.client_id)
        assign_intake_set(client, booking.practitioner_id, utcnow().astimezone(ZoneInfo(client.timezone)).date())
        return Outcome(fulfilled=True)
    # Paid, but the session can't go ahead: its hold ran out and the time was taken, it was cancelled,
    # or she had already paid. Keep the payment's record and give the money back.
    db.session.commit()  # keeps the payment's success if it is still in this transaction ...
    if _mark_succeeded(payment):  # ... or records it again if confirm_paid had to roll back
        db.session.commit()
    db.session.refresh(payment)
    reason = "Paid twice for the same session" if already_paid else "The time was no longer available"
    try:
        refund_payment(payment, payment.refundable_minor, reason, actor=None)
    except PaymentError:  # refunded already, by a delivery running at the same moment
        return Outcome(fulfilled=True)
    _tell_client_refunded(payment)
    return Outcome(fulfilled=True, refunded=True)


def _mark_succeeded(payment: Payment) -> bool:
    """Flip the payment to succeeded, in the open transaction; False if it already was."""
    result = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status != PaymentStatus.SUCCEEDED)
        .values(status=PaymentStatus.SUCCEEDED.value, succeeded_at=utcnow(), failure_message="")
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.refresh(payment)
    return True


def _tell_client_refunded(payment: Payment) -> None:
    from portal.mail import send_mail

    client = db.session.get(User, payment.client_id)
    try:
        send_mail(
            client.email,
            "Your payment has been refunded",
            "payment_refunded",
            recipient=client,
            amount=format_money(payment.amount_minor, payment.currency),
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the refund stands whether or not the e-mail goes
        log.exception("refund e-mail failed: payment=%s", payment.id)


def record_failure(intent_id: str, message: str) -> None:
    db.session.execute(
        update(Payment)
        .where(Payment.stripe_payment_intent_id == intent_id, Payment.status == PaymentStatus.PENDING)
        .values(failure_message=(message or "The card was declined.")[:300])
    )
    db.session.commit()


def handle_event(event) -> str:
    """One verified webhook event: 'duplicate' if it was handled before, else 'handled' or 'ignored'."""
    if db.session.get(StripeEvent, event.id) is not None:
        return "duplicate"
    obj = event.data.object
    result = "handled"
    if event.type == "payment_intent.succeeded":
        fulfil(obj.id, obj.amount, obj.currency)
    elif event.type == "payment_intent.payment_failed":
        error = obj.to_dict().get("last_payment_error") or {}
        record_failure(obj.id, error.get("message") or "")
    elif event.type == "payment_intent.canceled":
        db.session.execute(
            update(Payment)
            .where(Payment.stripe_payment_intent_id == obj.id, Payment.status == PaymentStatus.PENDING)
            .values(status=PaymentStatus.CANCELED.value)
        )
    elif event.type in ("refund.updated", "refund.failed", "charge.refund.updated"):
        refund = db.session.execute(db.select(Refund).filter_by(stripe_refund_id=obj.id)).scalar_one_or_none()
        if refund is not None:
            _follow_stripe_refund(refund, obj.status)
    else:
        result = "ignored"
    db.session.add(StripeEvent(id=event.id, type=event.type))
    try:
        db.session.commit()
    except IntegrityError:  # the same event, handled at this moment by another worker
        db.session.rollback()
        return "duplicate"
    return result


def reconcile_card_payments(now: datetime | None = None) -> int:
    """Ask Stripe about card payments still open after a minute: a success whose webhook never arrived
    (Stripe retries, localstripe does not; the portal may have been down) is fulfilled all the same."""
    now = now or utcnow()
    open_payments = (
        db.session.execute(
            db.select(Payment).filter(
                Payment.method == PaymentMethod.CARD,
                Payment.status == PaymentStatus.PENDING,
                Payment.created_at <= now - timedelta(minutes=1),
            )
        )
        .scalars()
        .all()
    )
    fulfilled = 0
    for payment in open_payments:
        intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
        if intent is not None and intent.status == "succeeded":
            fulfilled += fulfil(intent.id, intent.amount, intent.currency).fulfilled
    return fulfilled


def cancel_abandoned_intents() -> int:
    """Cancel the card payments of bookings whose hold ran out or that were cancelled before payment."""
    stale = (
        db.session.execute(
            db.select(Payment)
            .join(Booking, Booking.id == Payment.booking_id)
            .filter(
                Payment.method == PaymentMethod.CARD,
                Payment.status == PaymentStatus.PENDING,
                Booking.status.in_([BookingStatus.EXPIRED, BookingStatus.CANCELLED]),
            )
        )
        .scalars()
        .all()
    )
    cancelled = 0
    for payment in stale:
        if gateway.cancel_intent(payment.stripe_payment_intent_id):
            payment.status = PaymentStatus.CANCELED.value
            cancelled += 1
        # otherwise it has just succeeded: its webhook decides what happens
    db.session.commit()
    return cancelled


# Payments recorded by hand, and refunds -------------------------------------------------------------------


def record_manual_payment(
    booking: Booking, amount_minor: int, method: PaymentMethod, note: str, actor: User
) -> Payment:
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
    db.session.commit()
    return payment


def refund_payment(payment: Payment, amount_minor: int, reason: str, actor: User | None) -> Refund:
    """Give back part or all of a payment. The portal itself refuses more than is left to refund."""
    if amount_minor <= 0:
        raise PaymentError("Enter an amount above 0.")
    reserved = db.session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.refunded_minor + amount_minor <= Payment.amount_minor,
        )
        .values(refunded_minor=Payment.refunded_minor + amount_minor)
        .execution_options(synchronize_session=False)
    )
    if reserved.rowcount != 1:
        db.session.rollback()
        db.session.refresh(payment)
        left = format_money(payment.refundable_minor, payment.currency)
        raise PaymentError(f"At most {left} of this payment can be refunded.")
    refund = Refund(
        payment_id=payment.id,
        amount_minor=amount_minor,
        reason=reason[:300],
        status=RefundStatus.PENDING.value,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(refund)
    db.session.commit()
    db.session.refresh(payment)
    if payment.method != PaymentMethod.CARD:
        refund.status = RefundStatus.SUCCEEDED.value  # money given back by hand
        db.session.commit()
        return refund
    try:
        refund.stripe_refund_id, stripe_status = gateway.refund(
            payment.stripe_payment_intent_id, amount_minor, idempotency_key=f"refund-{refund.id}"
        )
    except gateway.GatewayError as error:
        _follow_stripe_refund(refund, "failed")
        raise PaymentError(str(error)) from None
    _follow_stripe_refund(refund, stripe_status)
    return refund


def _follow_stripe_refund(refund: Refund, stripe_status: str) -> None:
    """Refund state follows Stripe: a failed refund gives its amount back to what can be refunded."""
    if stripe_status == "succeeded":
        refund.status = RefundStatus.SUCCEEDED.value
    elif stripe_status in ("failed", "canceled") and refund.status != RefundStatus.FAILED:
        refund.status = RefundStatus.FAILED.value
        db.session.execute(
            update(Payment)
            .where(Payment.id == refund.payment_id)
            .values(refunded_minor=Payment.refunded_minor - refund.amount_minor)
        )
    db.session.commit()


def refund_everything(booking: Booking, reason: str, actor: User | None) -> int:
    """Refund what is left of every payment for a booking (a client's cancellation within the policy)."""
    total = 0
    for payment in payments_for_booking(booking.id):
        if payment.refundable_minor > 0:
            amount = payment.refundable_minor
            refund_payment(payment, amount, reason, actor)
            total += amount
    return total


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
    zone, totals = ZoneInfo(tz), OrderedDict()

    def bucket(when: datetime, currency: str) -> MonthTotal:
        month = when.astimezone(zone).date().replace(day=1)
        return totals.setdefault((month, currency), MonthTotal(month, currency))

    for payment in payments:
        bucket(payment.succeeded_at, payment.currency).received_minor += payment.amount_minor
        for refund in payment.refunds:
            if refund.status != RefundStatus.FAILED:
                bucket(refund.created_at, payment.currency).refunded_minor += refund.amount_minor
    return sorted(totals.values(), key=lambda total: (total.month, total.currency), reverse=True)
