"""make_payment's card path: a real PaymentIntent on localstripe, paid with a test card and fulfilled."""

from __future__ import annotations


def test_a_card_payment_made_by_the_factory_is_fulfilled_and_confirms_its_booking(
    practice, client_user, make_booking, make_payment
):
    booking = make_booking(client_user, status="pending_payment")
    payment = make_payment(booking, method="card")
    assert (payment.status, payment.amount_minor, payment.stripe_payment_intent_id[:3]) == ("succeeded", 8500, "pi_")
    assert booking.status == "confirmed" and booking.hold_expires_at is None


def test_a_declined_card_leaves_the_booking_waiting(practice, client_user, make_booking, make_payment):
    booking = make_booking(client_user, status="pending_payment")
    payment = make_payment(booking, method="card", status="failed")
    assert payment.status == "failed" and payment.failure_message
    assert booking.status == "pending_payment"
