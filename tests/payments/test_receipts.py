"""Receipts: e-mailed once after each payment (by card or recorded by hand), downloadable as a PDF with the
practice's details and any refunds, and only by the client herself and the practice's team of her session."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Payment, Role
from portal.payments import card, gateway, refunds
from portal.practice import details, settings
from tests.conftest import log_in, mailed_path
from tests.handouts.conftest import pdf_page_png, pdf_text


@pytest.fixture
def app(app_factory, stripe_settings, smtp_server):
    """Card payments through localstripe, mail through the loopback SMTP server."""
    app = app_factory(
        **stripe_settings, MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none"
    )
    with app.app_context():
        yield app


@pytest.fixture
def clara(make_user):
    return make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")


@pytest.fixture
def owner(practice):
    """The practice's first practitioner owns it: her address is the practice's."""
    owner = practice.practitioner
    assert owner.is_owner
    settings.save_practice_address(practice.rules, "1 Calm Street\nLondon N1 1AA")
    details.save_contact("020 7946 0123", "hello@practice.example", "Registered with BANT, no. 12345", owner)
    return owner


def receipts_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address and m["Subject"].startswith("Your receipt")]


def test_a_payment_recorded_by_hand_e_mails_one_receipt(
    practice, clara, owner, make_booking, make_payment, smtp_server
):
    booking = make_booking(clara)
    payment = make_payment(booking, 8500, method="bank_transfer")
    (receipt,) = receipts_to(smtp_server, clara.email)
    assert receipt["Subject"] == "Your receipt for £85.00"
    body = receipt.get_body(("plain",)).get_content()
    assert f"Receipt no. {payment.id:06d}" in body and "£85.00, paid by bank transfer" in body
    assert "Follow-up" in body and "1 Calm Street" in body and "Registered with BANT, no. 12345" in body
    assert mailed_path(receipt, "/me/payments/") == f"/me/payments/{payment.id}/receipt.pdf"
    refunds.refund_payment(payment, 1000, "Late start", practice.practitioner)
    assert len(receipts_to(smtp_server, clara.email)) == 1  # a refund is no new receipt


def test_a_card_payment_e_mails_one_receipt_however_often_stripe_says_so(practice, clara, make_booking, smtp_server):
    booking = make_booking(clara, status="pending_payment")
    payment = card.card_payment_for(booking)
    intent = gateway.pay_with_test_card(payment.stripe_payment_intent_id, "pm_card_visa")
    for _ in range(3):  # the webhook delivered three times
        card.fulfil(intent.id, intent.amount, intent.currency)
    (receipt,) = receipts_to(smtp_server, clara.email)
    assert "£85.00, paid by card" in receipt.get_body(("plain",)).get_content()


def test_the_pdf_receipt_has_the_practice_the_payment_and_its_refunds(
    client, practice, clara, owner, make_booking, make_payment
):
    payment = make_payment(make_booking(clara), 8500, method="cash", refunded_minor=2000)
    log_in(client, clara.email)
    response = client.get(f"/me/payments/{payment.id}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f'filename="receipt-{payment.id:06d}.pdf"' in response.headers["Content-Disposition"]
    text = " ".join(pdf_text(response.data).split())
    for expected in (
        f"Receipt no. {payment.id:06d}",
        "1 Calm Street",
        "London N1 1AA",
        "Phone 020 7946 0123",
        "hello@practice.example",
        "Registered with BANT, no. 12345",
        "Received from Clara Client",
        "For Follow-up,",
        "Paid by Cash",
        "Amount £85.00",
        "Refunded £20.00",
        "Net £65.00",
        "£20.00 on",
    ):
        assert expected in text, expected
    pdf_page_png(response.data, "receipt")
    assert "Download the receipt (PDF)" in client.get(f"/me/payments/{payment.id}").get_data(as_text=True)


def test_only_she_and_the_team_of_her_session_open_her_receipt(
    app, practice, clara, make_user, make_booking, make_payment
):
    payment = make_payment(make_booking(clara), 8500)
    other = make_user(Role.CLIENT, email="other@example.com")
    jonah = make_user(Role.PRACTITIONER, email="jonah@example.com")
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    for person, client_url, staff_url in (
        (other, 404, 404),
        (jonah, 404, 404),
        (desk, 404, 200),
        (practice.practitioner, 404, 200),
        (clara, 200, 404),
    ):
        client = app.test_client()
        log_in(client, person.email)
        assert client.get(f"/me/payments/{payment.id}/receipt.pdf").status_code == client_url, person.email
        assert client.get(f"/practitioner/payments/{payment.id}/receipt.pdf").status_code == staff_url, person.email
    assert client.get("/me/payments/999999/receipt.pdf").status_code == 404


def test_an_unpaid_card_payment_has_no_receipt(client, practice, clara, make_booking):
    payment = card.card_payment_for(make_booking(clara, status="pending_payment"))
    log_in(client, clara.email)
    assert client.get(f"/me/payments/{payment.id}/receipt.pdf").status_code == 404
    assert db.session.get(Payment, payment.id).status == "pending"
