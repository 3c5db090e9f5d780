"""The workflows that e-mail (booking, cancelling, Stripe's webhook confirming a payment, publishing a handout)
never talk to the mail server: with one that hangs for 30 s they answer at once, the messages wait in the
outbox, and they go out once the server is back."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from portal import outbox
from portal.booking import lifecycle
from portal.booking.pages import iso
from portal.extensions import db
from portal.handouts import protocols
from portal.models import Booking, BookingStatus, OutboxMessage, Role
from portal.payments import card
from tests.conftest import csrf_token_from, log_in, submit_form
from tests.outbox.conftest import smtp_settings
from tests.payments.conftest import intent_event, signed


# A request that spoke to the hung server would wait at least this long; each page must answer well before it.
# (How fast the pages are is measured in bench/, not here: this only proves the request never waits on mail.)
MAIL_TIMEOUT = 10
NEVER_WAITED = MAIL_TIMEOUT * 0.8


@pytest.fixture
def app(app_factory, controlled_smtp, stripe_settings):
    """Card payments through localstripe, and e-mail to the controllable server."""
    app = app_factory(**stripe_settings, **smtp_settings(controlled_smtp, MAIL_TIMEOUT=str(MAIL_TIMEOUT)))
    with app.app_context():
        yield app


@pytest.fixture
def clara(make_user):
    return make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def queued_templates() -> list[str]:
    db.session.expire_all()
    return sorted(row.template for row in db.session.execute(db.select(OutboxMessage)).scalars())


def test_booking_a_free_session_answers_at_once_and_both_e_mails_go_out_later(app, controlled_smtp, practice, clara):
    controlled_smtp.mode = "hang"
    browser = app.test_client()
    log_in(browser, clara.email)
    start = practice.free(practice.discovery)[0]
    url = f"/book/{practice.discovery.id}/confirm"
    answer, elapsed = timed(
        lambda: submit_form(browser, url, {"start": iso(start)}, form_url=f"{url}?start={quote(iso(start))}")
    )
    assert answer.status_code == 302 and elapsed < NEVER_WAITED, f"the booking took {elapsed:.2f}s"
    assert controlled_smtp.received == [] and queued_templates() == ["booking_confirmed", "booking_confirmed"]
    controlled_smtp.release()
    assert outbox.deliver_due() == 2
    assert {m["To"] for m in controlled_smtp.received} == {clara.email, practice.practitioner.email}


def test_cancelling_answers_at_once(app, controlled_smtp, practice, clara):
    booking = lifecycle.book(clara, practice.discovery, practice.free(practice.discovery)[40], needs_payment=False)
    controlled_smtp.mode = "hang"
    browser = app.test_client()
    log_in(browser, clara.email)
    answer, elapsed = timed(
        lambda: submit_form(browser, f"/bookings/{booking.id}/cancel", {}, form_url=f"/me/bookings/{booking.id}")
    )
    assert answer.status_code == 302 and elapsed < NEVER_WAITED, f"cancelling took {elapsed:.2f}s"
    assert controlled_smtp.received == [] and queued_templates().count("booking_cancelled") == 2


def test_stripe_s_webhook_confirms_the_payment_at_once(app, controlled_smtp, practice, clara):
    booking = lifecycle.book(clara, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=True)
    payment = card.card_payment_for(booking)
    controlled_smtp.mode = "hang"
    event = intent_event("evt_hung", "payment_intent.succeeded", payment.stripe_payment_intent_id, 8500)
    body, header = signed(event)
    browser = app.test_client()
    answer, elapsed = timed(
        lambda: browser.post(
            "/stripe/webhook", data=body, headers={"Stripe-Signature": header}, content_type="application/json"
        )
    )
    assert answer.status_code == 200 and elapsed < NEVER_WAITED, f"the webhook took {elapsed:.2f}s"
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    assert controlled_smtp.received == [] and queued_templates().count("booking_confirmed") == 2


def test_publishing_a_handout_never_waits_for_the_mail_server(app, controlled_smtp, practice, clara, make_booking):
    booking = make_booking(clara, status=BookingStatus.COMPLETED)
    protocols.save_protocol(
        protocols.protocol_for(booking), summary="Sleep first.", focus_points="", next_steps="", lines=[]
    )
    controlled_smtp.mode = "hang"
    browser = app.test_client()
    log_in(browser, practice.practitioner.email)
    url = f"/practitioner/sessions/{booking.id}/protocol"
    token = csrf_token_from(browser.get(url + "/preview").get_data(as_text=True))
    answer, elapsed = timed(lambda: browser.post(url + "/publish", data={"csrf_token": token}))
    assert answer.status_code == 302 and elapsed < NEVER_WAITED, f"publishing took {elapsed:.2f}s"
    assert controlled_smtp.received == [] and "handout_ready" in queued_templates()
    controlled_smtp.release()
    outbox.deliver_due()
    assert any(m["Subject"].endswith("is ready") for m in controlled_smtp.received)
