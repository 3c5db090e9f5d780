"""A webhook whose metadata names another booking than its payment's is logged (ids only, no health data)."""

from __future__ import annotations

import logging

from portal.extensions import db
from portal.models import Booking, Payment
from tests.conftest import log_in
from tests.payments.conftest import intent_event, signed, wait_until
from tests.payments.test_card_payments import pay_with, start_paid_booking


def _post(client, event: dict) -> int:
    body, header = signed(event)
    return client.post(
        "/stripe/webhook", data=body, headers={"Stripe-Signature": header}, content_type="application/json"
    ).status_code


def _paid(client, practice, client_user) -> tuple[Booking, Payment]:
    log_in(client, client_user.email)
    booking = start_paid_booking(client, practice)
    pay_with(client, booking, "pm_card_visa")
    return booking, db.session.execute(db.select(Payment).filter_by(booking_id=booking.id)).scalar_one()


def test_a_success_whose_metadata_names_another_booking_is_logged(client, practice, client_user, caplog):
    booking, payment = _paid(client, practice, client_user)
    event = intent_event(
        "evt_other", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500,
        metadata={"booking_id": str(booking.id + 1000)},
    )  # fmt: skip
    caplog.set_level(logging.INFO, logger="portal.payments")
    assert _post(client, event) == 200
    mismatches = [r for r in caplog.records if "metadata names another booking" in r.getMessage()]
    assert [r.getMessage() for r in mismatches] == [
        f"payment_intent.succeeded whose metadata names another booking: payment={payment.id}"
    ]
    # The payment's own booking is the one confirmed: the intent id, not the metadata, links them.
    assert wait_until(lambda: db.session.get(Booking, booking.id).status == "confirmed")


def test_a_success_whose_metadata_agrees_logs_nothing(client, practice, client_user, caplog):
    booking, payment = _paid(client, practice, client_user)
    event = intent_event(
        "evt_same", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500,
        metadata={"booking_id": str(booking.id)},
    )  # fmt: skip
    caplog.set_level(logging.INFO, logger="portal.payments")
    assert _post(client, event) == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("portal.payments")]
