"""A cancellation e-mail says what is refunded: in full, in part (the rest was refunded earlier), nothing by
itself when the practice cancels, nothing to refund for a session paid at the session, nothing for a free one."""

from __future__ import annotations

import pytest

from portal.models import Role
from portal.payments import refunds
from portal.practice import details


@pytest.fixture
def app(app_factory, stripe_settings, smtp_server):
    app = app_factory(
        **stripe_settings, MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none"
    )
    with app.app_context():
        yield app


@pytest.fixture
def clara(make_user):
    return make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")


def cancellation_texts(smtp_server, clara, practitioner) -> tuple[str, str]:
    """The plain text of the cancellation e-mail to the client and to the practitioner."""
    texts = {
        message["To"]: message.get_body(("plain",)).get_content()
        for message in smtp_server.messages
        if "cancelled" in message["Subject"].lower()
    }
    return " ".join(texts[clara.email].split()), " ".join(texts[practitioner.email].split())


def test_she_cancels_a_paid_session_and_is_told_it_is_refunded_in_full(
    practice, clara, make_booking, make_payment, smtp_server
):
    booking = make_booking(clara)
    make_payment(booking, 8500, method="cash")
    refunds.cancel(booking, clara)
    to_her, to_practitioner = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "Refund: your payment of £85.00 is refunded in full." in to_her
    assert "reaches the card" not in to_her  # paid in cash
    assert "Refund: the client's payment of £85.00 is refunded in full." in to_practitioner


def test_a_card_payment_refunded_in_full_says_it_reaches_her_card(
    practice, clara, make_booking, make_payment, smtp_server
):
    booking = make_booking(clara, status="pending_payment")
    make_payment(booking, method="card")
    refunds.cancel(booking, clara)
    to_her, _ = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "your payment of £85.00 is refunded in full. It reaches the card you paid with within a few days." in to_her


def test_what_was_refunded_earlier_leaves_a_part_to_refund(practice, clara, make_booking, make_payment, smtp_server):
    booking = make_booking(clara)
    make_payment(booking, 8500, refunded_minor=2000)
    refunds.cancel(booking, clara)
    to_her, _ = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "Refund: £65.00 of your £85.00 payment is refunded now; the rest was refunded earlier." in to_her


def test_the_practice_cancelling_says_nothing_is_refunded_by_itself_and_how_to_ask(
    practice, clara, make_booking, make_payment, smtp_server
):
    details.save_contact("020 7946 0123", "", "", practice.practitioner)
    booking = make_booking(clara)
    make_payment(booking, 8500)
    refunds.cancel(booking, practice.practitioner, reason="Unwell")
    to_her, to_practitioner = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "your payment of £85.00 is not refunded automatically" in to_her
    assert "To ask, contact the practice: phone 020 7946 0123." in to_her
    assert "Nothing is refunded automatically: the client paid £85.00." in to_practitioner


def test_a_payment_refunded_before_is_not_refunded_again(practice, clara, make_booking, make_payment, smtp_server):
    booking = make_booking(clara)
    make_payment(booking, 8500, refunded_minor=8500)
    refunds.cancel(booking, practice.practitioner)
    to_her, _ = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "Your payment of £85.00 was refunded earlier: there is nothing more to refund." in to_her


def test_a_session_to_be_paid_at_the_session_has_nothing_to_refund(practice, clara, make_booking, smtp_server):
    booking = make_booking(clara)  # confirmed without a payment: paid at the session
    refunds.cancel(booking, clara)
    to_her, to_practitioner = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "Nothing was paid for this session, so there is nothing to refund." in to_her
    assert "Nothing was paid for this session" in to_practitioner


def test_a_free_session_says_nothing_about_money(practice, clara, make_booking, smtp_server):
    refunds.cancel(make_booking(clara, practice.discovery), clara)
    to_her, _ = cancellation_texts(smtp_server, clara, practice.practitioner)
    assert "refund" not in to_her.lower() and "has been cancelled" in to_her
