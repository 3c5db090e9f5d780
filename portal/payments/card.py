"""Card payments through Stripe: a PaymentIntent per attempt, fulfilled once from its webhook (or from the
reconciling job when a webhook never came), with the booking confirmed by booking.lifecycle, or the package
instalment marked paid (the first one starts the purchase) by packages.purchases.

Each step that must happen once is a conditional UPDATE checked by its row count, which is atomic on
SQLite and PostgreSQL alike, so duplicate or concurrent webhook deliveries can't fulfil twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from portal.booking import lifecycle
from portal.db_types import affected_rows, utcnow
from portal.extensions import db
from portal.models import (
    Booking,
    BookingStatus,
    InstalmentStatus,
    PackageInstalment,
    PackagePurchase,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PurchaseStatus,
    Refund,
    Service,
    StripeEvent,
)
from portal.packages import purchases
from portal.payments import gateway, receipts, refunds
from portal.payments.ledger import PaymentError

log = logging.getLogger(__name__)


def needs_card_payment(service: Service) -> bool:
    return service.price_minor > 0 and gateway.enabled()


def card_payment_for(booking: Booking) -> Payment:
    """The booking's open card payment, starting one (a PaymentIntent) the first time.

    The amount and currency come from the booking, which took them from the service when it was made.
    """
    if booking.status != BookingStatus.PENDING_PAYMENT:
        raise PaymentError("This booking is not waiting for a payment.")
    return _open_card_payment(
        booking.price_minor,
        booking.currency,
        booking.client_id,
        {"booking_id": str(booking.id)},
        f"booking-{booking.uid}",
        booking_id=booking.id,
    )


def card_payment_for_instalment(instalment: PackageInstalment) -> Payment:
    """The open card payment of one instalment of her package plan (the first is the purchase itself), starting
    one the first time. The amount is the instalment's, worked out on the server when she bought the package."""
    purchase = db.session.get_one(PackagePurchase, instalment.purchase_id)
    if instalment.status != InstalmentStatus.DUE or purchase.status not in (
        PurchaseStatus.PENDING,
        PurchaseStatus.ACTIVE,
    ):
        raise PaymentError("This payment is not due.")
    return _open_card_payment(
        instalment.amount_minor,
        purchase.currency,
        instalment.client_id,
        {"instalment_id": str(instalment.id)},
        f"instalment-{instalment.id}",
        instalment_id=instalment.id,
    )


def _open_card_payment(
    amount_minor: int, currency: str, client_id: int, metadata: dict[str, str], key: str, **paying_for: int
) -> Payment:
    """The pending card payment for what `paying_for` names (booking_id= or instalment_id=), or a new one with a
    fresh PaymentIntent (one idempotency key per attempt)."""
    payments = db.session.scalars(db.select(Payment).filter_by(method=PaymentMethod.CARD, **paying_for)).all()
    for payment in payments:
        if payment.status == PaymentStatus.PENDING:
            return payment
    intent = gateway.create_intent(
        amount_minor, currency, metadata, idempotency_key=f"{key}-attempt-{len(payments) + 1}"
    )
    payment = Payment(
        client_id=client_id,
        method=PaymentMethod.CARD.value,
        status=PaymentStatus.PENDING.value,
        amount_minor=amount_minor,
        currency=currency,
        stripe_payment_intent_id=intent.id,
        stripe_client_secret=intent.client_secret,
        **paying_for,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def pay_with_test_card(payment: Payment, card: str) -> None:
    """Offline demo and tests: confirm with one of Stripe's test cards. A decline is kept on the payment."""
    assert payment.stripe_payment_intent_id is not None  # a card payment
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


def fulfil(intent_id: str, amount_minor: int, currency: str, booking_id: str | None = None) -> Outcome:
    """Stripe says this PaymentIntent succeeded. Runs its effects exactly once, whatever the order or
    number of deliveries. `booking_id` is the intent's metadata, when the caller has it."""
    payment = db.session.execute(db.select(Payment).filter_by(stripe_payment_intent_id=intent_id)).scalar_one_or_none()
    if payment is None:
        log.warning("payment_intent.succeeded for an unknown intent")
        return Outcome()
    if booking_id is not None and booking_id != str(payment.booking_id):  # the payment's own booking is kept
        log.error("payment_intent.succeeded whose metadata names another booking: payment=%s", payment.id)
    if amount_minor != payment.amount_minor or currency.upper() != payment.currency:
        log.error("payment_intent.succeeded with an amount that does not match: payment=%s", payment.id)
        return Outcome()
    if not _mark_succeeded(payment):
        return Outcome()
    if payment.instalment_id is not None:
        if purchases.instalment_paid_by_card(payment.instalment_id, utcnow()):
            db.session.commit()
            return Outcome(fulfilled=True)
        # Paid, but it was no longer due: paid by other means meanwhile, or the purchase was cancelled or ended.
        reason = "The package payment was no longer due"
    else:
        booking = db.session.get(Booking, payment.booking_id)
        assert booking is not None  # payment.booking_id is a foreign key
        already_paid = db.session.scalar(
            db.select(db.func.count())
            .select_from(Payment)
            .filter(
                Payment.booking_id == booking.id, Payment.id != payment.id, Payment.status == PaymentStatus.SUCCEEDED
            )
        )
        if not already_paid and lifecycle.confirm_payment(booking):
            return Outcome(fulfilled=True)
        # Paid, but the session can't go ahead: its hold ran out and the time was taken, it was cancelled,
        # or she had already paid.
        reason = "Paid twice for the same session" if already_paid else "The time was no longer available"
    # Keep the payment's record and give the money back.
    db.session.commit()  # keeps the payment's success if it is still in this transaction ...
    if _mark_succeeded(payment):  # ... or records it again if the step above had to roll back
        db.session.commit()
    db.session.refresh(payment)
    try:
        refunds.refund_payment(payment, payment.refundable_minor, reason, actor=None, tell_client=True)
    except PaymentError:  # refunded already, by a delivery running at the same moment
        return Outcome(fulfilled=True)
    return Outcome(fulfilled=True, refunded=True)


def _mark_succeeded(payment: Payment) -> bool:
    """Flip the payment to succeeded and queue her receipt, in the open transaction; False if it already was."""
    result = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status != PaymentStatus.SUCCEEDED)
        .values(status=PaymentStatus.SUCCEEDED.value, succeeded_at=utcnow(), failure_message="")
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        db.session.rollback()
        return False
    db.session.refresh(payment)
    receipts.queue_receipt(payment)  # goes with the flip: once, and never if it is rolled back
    return True


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
        fulfil(obj.id, obj.amount, obj.currency, (obj.to_dict().get("metadata") or {}).get("booking_id"))
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
            refunds.follow_stripe_refund(refund, obj.status)
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
    """Cancel the card payments of bookings whose hold ran out or that were cancelled before payment, and of
    package instalments no longer due (an online purchase never paid, or a plan ended)."""
    stale_booking = db.select(Booking.id).filter(
        Booking.id == Payment.booking_id, Booking.status.in_([BookingStatus.EXPIRED, BookingStatus.CANCELLED])
    )
    stale_instalment = db.select(PackageInstalment.id).filter(
        PackageInstalment.id == Payment.instalment_id, PackageInstalment.status == InstalmentStatus.CANCELLED
    )
    stale = db.session.scalars(
        db.select(Payment).filter(
            Payment.method == PaymentMethod.CARD,
            Payment.status == PaymentStatus.PENDING,
            or_(stale_booking.exists(), stale_instalment.exists()),
        )
    ).all()
    cancelled = 0
    for payment in stale:
        if gateway.cancel_intent(payment.stripe_payment_intent_id):
            payment.status = PaymentStatus.CANCELED.value
            cancelled += 1
        # otherwise it has just succeeded: its webhook decides what happens
    db.session.commit()
    return cancelled
