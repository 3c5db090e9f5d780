"""Paying for a booking by card, end to end against localstripe, and the webhook's guarantees."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
import stripe

from portal.booking import lifecycle
from portal.booking.pages import iso
from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs.runner import run_jobs
from portal.models import Booking, BookingEvent, Payment, Refund
from portal.payments import gateway, ledger, refunds
from portal.payments.ledger import PaymentError
from tests.conftest import csrf_token_from, log_in, outbox_messages, submit_form
from tests.payments.conftest import intent_event, signed, wait_until


def start_paid_booking(client, practice, days_ahead: int = 3) -> Booking:
    """She picks a paid session and confirms; the portal sends her to pay."""
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=days_ahead)][0]
    confirm = f"/book/{practice.follow_up.id}/confirm"
    page = client.get(f"{confirm}?start={quote(iso(start))}").get_data(as_text=True)
    assert "Continue to payment" in page
    response = client.post(
        confirm, data={"start": iso(start), "csrf_token": csrf_token_from(page), "amount": "1", "price_minor": "1"}
    )  # tampered fields are ignored
    booking = db.session.execute(db.select(Booking).order_by(Booking.id.desc())).scalars().first()
    assert response.headers["Location"].endswith(f"/me/bookings/{booking.id}/pay")
    return booking


def pay_with(client, booking: Booking, card: str):
    page = client.get(f"/me/bookings/{booking.id}/pay").get_data(as_text=True)
    assert "Test mode: no real card is charged" in page and "£85.00" in page
    return client.post(
        f"/me/bookings/{booking.id}/pay/test-card",
        data={"card": card, "csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )


def outbox_count(app, subject_start: bytes, to: str | None = None) -> int:
    """Messages sent (to `to`, when given) whose subject starts so."""
    return sum(
        1
        for message in outbox_messages(app)
        if message["Subject"].startswith(subject_start.decode()) and (to is None or message["To"] == to)
    )


def paid_events(booking: Booking) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(BookingEvent).filter_by(booking_id=booking.id, action="paid")
    )


def test_a_card_payment_confirms_the_booking_when_the_webhook_arrives(
    client, practice, client_user, stripe_api, webhooks_to_portal
):
    log_in(client, client_user.email)
    booking = start_paid_booking(client, practice)
    assert booking.status == "pending_payment"
    status_page = pay_with(client, booking, "pm_card_visa").get_data(as_text=True)
    assert "Confirming your payment" in status_page or "Your session is booked" in status_page

    assert wait_until(lambda: db.session.get(Booking, booking.id).status == "confirmed")
    payment = db.session.execute(db.select(Payment)).scalar_one()
    assert (payment.status, payment.amount_minor, payment.currency) == ("succeeded", 8500, "GBP")
    intent = stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert (intent.amount, intent.currency, intent.metadata["booking_id"]) == (8500, "gbp", str(booking.id))
    assert paid_events(booking) == 1
    assert "Your session is booked" in client.get(f"/me/bookings/{booking.id}/payment").get_data(as_text=True)
    receipt = client.get(f"/me/payments/{payment.id}").get_data(as_text=True)
    assert "£85.00" in receipt and "Follow-up" in receipt


def test_a_declined_card_leaves_the_booking_held_with_a_clear_message(
    client, practice, client_user, webhooks_to_portal
):
    log_in(client, client_user.email)
    booking = start_paid_booking(client, practice)
    page = pay_with(client, booking, "pm_card_chargeCustomerFail").get_data(as_text=True)
    assert "Your card was declined." in page and "still held" in page
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "pending_payment"
    assert booking.starts_at not in practice.free(practice.follow_up)  # the slot stays held until expiry
    declined = db.session.execute(db.select(Payment).filter_by(status="failed")).scalar_one()
    assert (declined.status, declined.failure_message) == ("failed", "Your card was declined.")
    # she tries again with a good card: a fresh PaymentIntent, and the booking is confirmed
    pay_with(client, booking, "pm_card_visa")
    assert wait_until(lambda: db.session.get(Booking, booking.id).status == "confirmed")
    assert [p.status for p in ledger.payments_for_booking(booking.id)] == ["failed", "succeeded"]


def _paid_by_visa(client, practice, client_user) -> tuple[Booking, Payment]:
    """A booking paid by card at localstripe, with no webhook delivered yet."""
    log_in(client, client_user.email)
    booking = start_paid_booking(client, practice)
    pay_with(client, booking, "pm_card_visa")
    payment = db.session.execute(db.select(Payment).filter_by(booking_id=booking.id)).scalar_one()
    return booking, payment


def post_event(client, event: dict, **signing) -> int:
    body, header = signed(event, **signing)
    return client.post(
        "/stripe/webhook", data=body, headers={"Stripe-Signature": header}, content_type="application/json"
    ).status_code


def test_the_same_success_delivered_twenty_times_fulfils_once(client, practice, client_user, app):
    booking, payment = _paid_by_visa(client, practice, client_user)
    event = intent_event("evt_same", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500)
    assert {post_event(client, event) for _ in range(20)} == {200}
    # ... and the same success under other event ids (Stripe may resend as new events), and a late failure
    for n in range(3):
        assert (
            post_event(
                client,
                intent_event(f"evt_other_{n}", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500),
            )
            == 200
        )
    assert (
        post_event(
            client,
            intent_event(
                "evt_failed_late",
                "payment_intent.payment_failed",
                payment.stripe_payment_intent_id,
                8500,
                last_payment_error={"message": "Your card was declined."},
            ),
        )
        == 200
    )
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert db.session.get(Payment, payment.id).status == "succeeded"
    assert paid_events(booking) == 1
    assert outbox_count(app, b"Your session is booked") == 1 and outbox_count(app, b"New booking") == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Refund)) == 0


def test_a_failure_that_arrives_before_the_success_does_not_stop_it(client, practice, client_user):
    booking, payment = _paid_by_visa(client, practice, client_user)
    assert (
        post_event(
            client,
            intent_event(
                "evt_1",
                "payment_intent.payment_failed",
                payment.stripe_payment_intent_id,
                8500,
                last_payment_error={"message": "Insufficient funds."},
            ),
        )
        == 200
    )
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).failure_message == "Insufficient funds."
    assert (
        post_event(client, intent_event("evt_2", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500))
        == 200
    )
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert db.session.get(Payment, payment.id).failure_message == ""


@pytest.mark.parametrize("signing", [{"secret": "whsec_forged"}, {"at": 1_000_000_000}])
def test_a_forged_or_stale_signature_gets_400_and_changes_nothing(client, practice, client_user, signing):
    booking, payment = _paid_by_visa(client, practice, client_user)
    event = intent_event("evt_forged", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500)
    assert post_event(client, event, **signing) == 400
    assert client.post("/stripe/webhook", data=b"{}", content_type="application/json").status_code == 400
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "pending_payment"
    assert db.session.get(Payment, payment.id).status == "pending"


def test_a_success_for_another_amount_is_not_fulfilled(client, practice, client_user):
    booking, payment = _paid_by_visa(client, practice, client_user)
    post_event(client, intent_event("evt_wrong", "payment_intent.succeeded", payment.stripe_payment_intent_id, 100))
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "pending_payment"


def test_starting_to_pay_twice_reuses_one_payment_intent(client, practice, client_user):
    """localstripe ignores idempotency keys, so the portal must not rely on them."""
    log_in(client, client_user.email)
    booking = start_paid_booking(client, practice)
    client.get(f"/me/bookings/{booking.id}/pay")
    client.get(f"/me/bookings/{booking.id}/pay")
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 1


def _fulfilled(client, practice, client_user) -> tuple[Booking, Payment]:
    booking, payment = _paid_by_visa(client, practice, client_user)
    post_event(client, intent_event("evt_paid", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500))
    db.session.expire_all()
    return db.session.get(Booking, booking.id), db.session.get(Payment, payment.id)


def test_refunds_can_never_exceed_what_was_paid(client, practice, client_user, stripe_api):
    booking, payment = _fulfilled(client, practice, client_user)
    refunds.refund_payment(payment, 5000, "Shorter session", practice.practitioner)
    with pytest.raises(PaymentError, match=r"At most £35.00"):
        refunds.refund_payment(payment, 4000, "Too much", practice.practitioner)
    refunds.refund_payment(payment, 3500, "The rest", practice.practitioner)
    with pytest.raises(PaymentError, match=r"At most £0.00"):
        refunds.refund_payment(payment, 1, "Nothing left", practice.practitioner)
    db.session.refresh(payment)
    assert payment.refunded_minor == 8500
    given_back = stripe_api.v1.refunds.list(params={"limit": 10}).data
    assert sorted(r.amount for r in given_back) == [3500, 5000]


def test_localstripe_accepts_over_refunds_so_the_portal_checks_for_itself(client, practice, client_user):
    booking, payment = _fulfilled(client, practice, client_user)
    refund_id, status = gateway.refund(payment.stripe_payment_intent_id, 999_999, "direct-over-refund")
    assert refund_id.startswith("re_") and status == "succeeded"  # Stripe itself would refuse this


def refund_by_form(client, payment: Payment, page_url: str, **fields):
    """Her refund form on the session's page; its fields are prefixed with the payment's id."""
    prefix = f"refund-{payment.id}-"
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(
        f"/practitioner/payments/{payment.id}/refund",
        follow_redirects=True,
        data={prefix + "csrf_token": token, **{prefix + k: v for k, v in fields.items()}},
    )


def test_the_practitioner_refunds_part_of_a_payment_from_the_booking_page(client, practice, client_user):
    booking, payment = _fulfilled(client, practice, client_user)
    client.post("/account/logout", data={"csrf_token": csrf_token_from(client.get("/me/").get_data(as_text=True))})
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/bookings/{booking.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Up to £85.00" in page
    done = refund_by_form(client, payment, url, amount="20.50", reason="Session ran short")
    assert "Refund sent" in done.get_data(as_text=True)
    too_much = refund_by_form(client, payment, url, amount="70", reason="Oops")
    assert "At most £64.50" in too_much.get_data(as_text=True)
    db.session.refresh(payment)
    assert payment.refunded_minor == 2050


def test_the_client_cancelling_within_the_policy_is_refunded_in_full(client, practice, client_user, stripe_api):
    booking, payment = _fulfilled(client, practice, client_user)
    response = submit_form(
        client, f"/bookings/{booking.id}/cancel", {}, form_url=f"/me/bookings/{booking.id}", follow_redirects=True
    )
    assert "£85.00 is being refunded" in response.get_data(as_text=True)
    refund = db.session.execute(db.select(Refund)).scalar_one()
    assert (refund.amount_minor, refund.status) == (8500, "succeeded")
    assert stripe_api.v1.refunds.retrieve(refund.stripe_refund_id).amount == 8500


def test_expiry_frees_the_slot_and_cancels_the_payment_intent(client, practice, client_user, stripe_api):
    log_in(client, client_user.email)
    booking = start_paid_booking(client, practice)
    client.get(f"/me/bookings/{booking.id}/pay")
    done = run_jobs(utcnow() + timedelta(minutes=practice.rules.hold_minutes + 1))
    assert done["expired holds"] == 1 and done["card payments cancelled"] == 1
    db.session.expire_all()
    payment = db.session.execute(db.select(Payment)).scalar_one()
    assert db.session.get(Booking, booking.id).status == "expired" and payment.status == "canceled"
    assert stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"
    assert booking.starts_at in practice.free(practice.follow_up)


def _expire(booking: Booking) -> None:
    lifecycle.expire_holds(utcnow() + timedelta(hours=1))
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "expired"


def test_a_late_success_confirms_the_booking_if_its_time_is_still_free(client, practice, client_user):
    booking, payment = _paid_by_visa(client, practice, client_user)
    _expire(booking)
    post_event(client, intent_event("evt_late", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500))
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert db.session.scalar(db.select(db.func.count()).select_from(Refund)) == 0


def test_a_late_success_for_a_time_taken_meanwhile_is_refunded_and_she_is_told(
    client, practice, client_user, make_user, app
):
    booking, payment = _paid_by_visa(client, practice, client_user)
    _expire(booking)
    lifecycle.book(make_user(), practice.follow_up, booking.starts_at, needs_payment=False)
    post_event(client, intent_event("evt_late", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500))
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "expired"
    refund = db.session.execute(db.select(Refund)).scalar_one()
    assert (refund.amount_minor, refund.status, refund.created_by_id) == (8500, "succeeded", None)
    assert db.session.get(Payment, payment.id).status == "succeeded"
    assert outbox_count(app, b"Your payment has been refunded") == 1
    assert outbox_count(app, b"Your session is booked", to=client_user.email) == 0


def test_a_success_whose_webhook_never_came_is_found_by_the_jobs_command(client, practice, client_user):
    """localstripe sends each webhook once with no retries; the portal may have been down."""
    booking, payment = _paid_by_visa(client, practice, client_user)
    assert run_jobs(utcnow())["card payments reconciled"] == 0  # give the webhook its minute first
    done = run_jobs(utcnow() + timedelta(minutes=practice.rules.hold_minutes + 1))
    assert done["card payments reconciled"] == 1 and done["expired holds"] == 0
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert run_jobs(utcnow() + timedelta(minutes=20))["card payments reconciled"] == 0


def test_localstripe_has_no_checkout_sessions_or_prices_so_the_portal_prices_its_own_intents(
    client, practice, client_user, stripe_api
):
    with pytest.raises(stripe.StripeError):
        stripe_api.v1.checkout.sessions.create(params={"mode": "payment", "success_url": "http://127.0.0.1/"})
    with pytest.raises(stripe.StripeError):
        stripe_api.v1.prices.create(params={"currency": "gbp", "unit_amount": 8500, "product": "prod_x"})
    booking, payment = _paid_by_visa(client, practice, client_user)
    intent = stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert (intent.amount, intent.currency) == (practice.follow_up.price_minor, "gbp")


def test_localstripe_rejects_unknown_parameters_so_the_portal_sends_only_shared_ones(app, stripe_api):
    with pytest.raises(stripe.StripeError, match="Unexpected"):
        stripe_api.v1.payment_intents.create(params={"amount": 100, "currency": "gbp", "receipt_email": "a@b.c"})
    intent = gateway.create_intent(100, "GBP", {"booking_id": "1"}, idempotency_key="shared-params")
    assert intent.status == "requires_payment_method" and intent.amount == 100
