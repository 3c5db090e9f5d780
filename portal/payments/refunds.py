"""Refunds that never exceed what was paid, and the practice's cancellation policy: a client who cancels within
it gets back everything she paid, whoever's page the cancellation came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from portal.booking import lifecycle
from portal.booking.bookings import client_may_change, rules_for
from portal.booking.notify import RefundNote
from portal.db_types import affected_rows
from portal.extensions import db
from portal.mail import send_mail
from portal.models import (
    Booking,
    PackageInstalment,
    PackagePurchase,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    User,
)
from portal.money import format_money
from portal.packages import purchases
from portal.payments import gateway
from portal.payments.ledger import PaymentError, payments_for_booking


def refund_payment(
    payment: Payment, amount_minor: int, reason: str, actor: User | None, *, tell_client: bool = False
) -> Refund:
    """Give back part or all of a payment. The portal itself refuses more than is left to refund.

    The amount is reserved and committed before Stripe is asked (with the refund's id as idempotency key), so two
    refunds at once can't exceed the payment. With `tell_client`, her e-mail is queued with the refund's outcome.
    """
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
    if affected_rows(reserved) != 1:
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
    else:
        assert payment.stripe_payment_intent_id is not None  # a card payment
        try:
            refund.stripe_refund_id, stripe_status = gateway.refund(
                payment.stripe_payment_intent_id, amount_minor, idempotency_key=f"refund-{refund.id}"
            )
        except gateway.GatewayError as error:
            follow_stripe_refund(refund, "failed")
            db.session.commit()
            raise PaymentError(str(error)) from None
        follow_stripe_refund(refund, stripe_status)
    if tell_client:
        _queue_refund_email(payment, amount_minor)
    db.session.commit()
    return refund


def _queue_refund_email(payment: Payment, amount_minor: int) -> None:
    client = db.session.get_one(User, payment.client_id)
    send_mail(
        client.email,
        "Your payment has been refunded",
        "payment_refunded",
        recipient=client,
        amount=format_money(amount_minor, payment.currency),
    )


def follow_stripe_refund(refund: Refund, stripe_status: str | None) -> None:
    """Refund state follows Stripe, in the caller's transaction: a failed refund gives its amount back to what can
    be refunded."""
    if stripe_status == "succeeded":
        refund.status = RefundStatus.SUCCEEDED.value
    elif stripe_status in ("failed", "canceled") and refund.status != RefundStatus.FAILED:
        refund.status = RefundStatus.FAILED.value
        db.session.execute(
            update(Payment)
            .where(Payment.id == refund.payment_id)
            .values(refunded_minor=Payment.refunded_minor - refund.amount_minor)
        )


def refund_everything(booking: Booking, reason: str, actor: User | None) -> int:
    """Refund what is left of every payment for a booking; returns the amount, in minor units."""
    total = 0
    for payment in payments_for_booking(booking.id):
        if payment.refundable_minor > 0:
            amount = payment.refundable_minor
            refund_payment(payment, amount, reason, actor)
            total += amount
    return total


# Ending a package early ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageRefund:
    ending: purchases.Ending
    to_card_minor: int = 0  # sent back to her card through Stripe
    by_hand_minor: int = 0  # recorded as given back by the way she paid (cash, transfer), or to give back by hand
    problem: str = ""  # a card refund Stripe did not accept: the practice refunds that part by hand


def refund_package(purchase: PackagePurchase, *, full: bool, actor: User, now: datetime) -> PackageRefund:
    """End a package early with a refund (packages.purchases.end_with_refund decides how much: never more than
    was paid for it), then give that amount back through the package's own payments, newest first: card payments
    through Stripe, the others recorded as given back by hand. The ending is committed before any money moves, so
    a refund that fails leaves the package ended and says what is left to give back."""
    ending = purchases.end_with_refund(purchase, full=full, now=now)
    db.session.commit()
    left, to_card, by_hand = ending.refund_minor, 0, 0
    paid = db.session.scalars(
        db.select(Payment)
        .join(PackageInstalment, PackageInstalment.id == Payment.instalment_id)
        .filter(PackageInstalment.purchase_id == purchase.id, Payment.status == PaymentStatus.SUCCEEDED)
        .order_by(Payment.succeeded_at.desc(), Payment.id.desc())
    ).all()
    for payment in paid:
        amount = min(left, payment.refundable_minor)
        if amount <= 0:
            continue
        try:
            refund_payment(payment, amount, "Package ended early", actor)
        except PaymentError as error:
            return PackageRefund(ending, to_card, by_hand + left, problem=str(error))
        left -= amount
        if payment.method == PaymentMethod.CARD:
            to_card += amount
        else:
            by_hand += amount
    return PackageRefund(ending, to_card, by_hand + left)  # what is left was paid before payments were kept


# The cancellation policy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cancellation:
    booking: Booking
    refund: RefundNote  # what the policy gives back, as her e-mail says it
    refunded_minor: int = 0  # given back to her card (or recorded as given back by hand)
    refund_problem: str = ""  # the refund could not be made; the practice refunds by hand


def refund_note(booking: Booking, actor: User) -> RefundNote:
    """What cancelling this booking refunds under the policy, for its e-mails: everything left of what she paid
    when she cancels herself, nothing by itself when the practice cancels."""
    paid = [payment for payment in payments_for_booking(booking.id) if payment.status == PaymentStatus.SUCCEEDED]
    paid_minor = sum(payment.amount_minor for payment in paid)
    left_minor = sum(payment.refundable_minor for payment in paid)
    money = lambda minor: format_money(minor, booking.currency)  # noqa: E731
    by_card = any(payment.method == PaymentMethod.CARD for payment in paid)
    if not paid and purchases.credit_of(booking.id) is not None:  # on a package credit (booking.lifecycle.cancel)
        in_time = client_may_change(booking, rules_for(booking.practitioner_id))
        return RefundNote("credit_back" if in_time else "credit_used")
    if not paid:
        return RefundNote("free" if booking.price_minor == 0 else "unpaid")
    if left_minor == 0:
        return RefundNote("earlier", money(paid_minor), by_card=by_card)
    if not actor.is_client:
        return RefundNote("none", money(paid_minor), by_card=by_card)
    kind = "full" if left_minor == paid_minor else "part"
    return RefundNote(kind, money(paid_minor), money(left_minor), by_card=by_card)


def cancel(booking: Booking, actor: User, *, reason: str = "") -> Cancellation:
    """Cancel a session (booking.lifecycle.cancel: both sides are e-mailed), then apply the policy. A client may
    cancel only within the cancellation window, and then gets back everything she paid. When the practice cancels,
    nothing is refunded by itself: she refunds what she decides from the booking page."""
    note = refund_note(booking, actor)
    lifecycle.cancel(booking, actor, reason=reason, refund=note)
    if not actor.is_client:
        return Cancellation(booking, note)
    try:
        refunded = refund_everything(booking, "Cancelled by the client within the policy", actor)
    except PaymentError as error:
        return Cancellation(booking, note, refund_problem=str(error))
    return Cancellation(booking, note, refunded_minor=refunded)
