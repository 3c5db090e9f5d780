"""A session paid by card sends the intake set when the payment arrives, not while it is only held."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Assignment, BookingRules
from tests.payments.test_card_payments import _expire, _paid_by_visa, post_event
from tests.payments.conftest import intent_event


def intake_count(client_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(Assignment).filter_by(client_id=client_id, intake=True)
    )


def test_the_intake_set_waits_for_the_card_payment_and_then_goes_out_once(
    client, practice, client_user, licensed_wording
):
    db.session.get(BookingRules, practice.practitioner.id).intake_codes = ["phq9", "hit6"]
    db.session.commit()
    booking, payment = _paid_by_visa(client, practice, client_user)
    assert intake_count(client_user.id) == 0  # held, not yet paid
    event = intent_event("evt_paid", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500)
    post_event(client, event)
    post_event(client, event)  # a repeated delivery sends nothing twice
    assert intake_count(client_user.id) == 2


def test_a_hold_that_expires_unpaid_sends_no_intake(client, practice, client_user):
    db.session.get(BookingRules, practice.practitioner.id).intake_codes = ["phq9"]
    db.session.commit()
    booking, _ = _paid_by_visa(client, practice, client_user)
    _expire(booking)
    assert intake_count(client_user.id) == 0
