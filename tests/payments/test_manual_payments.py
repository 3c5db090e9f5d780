"""Without Stripe keys: paid sessions are "pay at session", the practitioner records payments by hand,
refunds them, sees monthly totals and exports CSV; clients see their receipts and nobody else's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta, UTC

import pytest

from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, Payment, PaymentMethod
from portal.payments import card, ledger
from portal.payments.ledger import PaymentError
from tests.conftest import csrf_token_from, log_in
from tests.payments.test_card_payments import refund_by_form


@pytest.fixture
def app(app_factory):
    """No Stripe keys in this module."""
    app = app_factory()
    with app.app_context():
        yield app


def record_by_form(client, booking: Booking, **fields):
    url = f"/practitioner/bookings/{booking.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(
        f"{url}/payments",
        follow_redirects=True,
        data={"manual-csrf_token": token, **{f"manual-{k}": v for k, v in fields.items()}},
    )


def _booking(practice, person) -> Booking:
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=2)][0]
    return lifecycle.book(person, practice.follow_up, start, needs_payment=card.needs_card_payment(practice.follow_up))


def test_without_keys_a_paid_session_is_confirmed_to_pay_at_the_session(client, practice, client_user):
    assert not card.needs_card_payment(practice.follow_up)
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    page = client.get(f"/book/{practice.follow_up.id}/confirm?start={start:%Y-%m-%dT%H:%MZ}").get_data(as_text=True)
    assert "paid at the session" in page and "Confirm booking" in page
    assert client.post("/stripe/webhook", data=b"{}").status_code == 404


def test_she_records_a_cash_payment_refunds_part_and_exports_it(client, practice, client_user):
    booking = _booking(practice, client_user)
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/bookings/{booking.id}"
    assert "Record a payment" in client.get(url).get_data(as_text=True)
    record_by_form(client, booking, amount="85", method="cash", note="Paid at the door")
    payment = db.session.execute(db.select(Payment)).scalar_one()
    assert (payment.method, payment.status, payment.amount_minor, payment.recorded_by_id) == (
        "cash",
        "succeeded",
        8500,
        practice.practitioner.id,
    )
    refund_by_form(client, payment, url, amount="10", reason="Late start")
    db.session.refresh(payment)
    assert payment.refunded_minor == 1000

    page = client.get("/practitioner/payments").get_data(as_text=True)
    assert "£85.00" in page and "£10.00" in page and "£75.00" in page  # received, refunded, net
    export = client.get("/practitioner/payments?format=csv")
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][:3] == ["payment id", "paid at (UTC)", "client"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["client"], row["kind"], row["for"], row["instalment"]) == (client_user.name, "session", "Follow-up", "")
    assert (row["amount"], row["refunded"], row["net"]) == ("85.00", "10.00", "75.00")
    assert export.get_data(as_text=True).splitlines()[1].split(",")[2] == f'"{client_user.name}"'  # text quoted


def test_a_client_name_is_never_a_formula_in_the_csv(client, practice, make_user):
    evil = make_user(name='=HYPERLINK("http://evil.test";"x")', email="evil@example.com")
    booking = _booking(practice, evil)
    log_in(client, practice.practitioner.email)
    record_by_form(client, booking, amount="85", method="cash")
    rows = list(csv.reader(io.StringIO(client.get("/practitioner/payments?format=csv").get_data(as_text=True))))
    assert rows[1][2] == '\'=HYPERLINK("http://evil.test";"x")'  # shown as typed, never run


@pytest.mark.parametrize(
    ("amount", "message"), [("0", "above 0"), ("-3", "0 or more"), ("abc", "like 75"), ("12.345", "decimal places")]
)
def test_bad_amounts_are_refused(client, practice, client_user, amount, message):
    booking = _booking(practice, client_user)
    log_in(client, practice.practitioner.email)
    response = record_by_form(client, booking, amount=amount, method="cash")
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0


def test_a_card_payment_can_not_be_recorded_by_hand(practice, client_user):
    booking = _booking(practice, client_user)
    with pytest.raises(PaymentError, match="taken online"):
        ledger.record_manual_payment(booking, 100, PaymentMethod.CARD, "", practice.practitioner)


def test_monthly_totals_follow_her_time_zone():
    from datetime import datetime
    from types import SimpleNamespace

    late_january = datetime(2030, 1, 31, 23, 30, tzinfo=UTC)  # already February in Athens
    payment = SimpleNamespace(succeeded_at=late_january, currency="GBP", amount_minor=5000, refunds=[])
    (london,) = ledger.monthly_totals([payment], "Europe/London")
    (athens,) = ledger.monthly_totals([payment], "Europe/Athens")
    assert (london.month.month, athens.month.month) == (1, 2)


def test_clients_see_only_their_own_receipts_and_never_her_pages(client, practice, client_user, make_user):
    mine = ledger.record_manual_payment(
        _booking(practice, client_user), 8500, PaymentMethod.BANK_TRANSFER, "", practice.practitioner
    )
    theirs = ledger.record_manual_payment(
        _booking(practice, make_user()), 8500, PaymentMethod.CASH, "", practice.practitioner
    )
    log_in(client, client_user.email)
    listing = client.get("/me/payments/").get_data(as_text=True)
    assert "Bank transfer" in listing and listing.count("£85.00") == 1
    receipt = client.get(f"/me/payments/{mine.id}").get_data(as_text=True)
    assert f"Receipt no. {mine.id:06d}" in receipt and client_user.name in receipt
    assert client.get(f"/me/payments/{theirs.id}").status_code == 404
    assert client.get("/practitioner/payments").status_code == 404
    token = csrf_token_from(listing)
    assert (
        client.post(
            f"/practitioner/payments/{mine.id}/refund", data={"amount": "85", "reason": "x", "csrf_token": token}
        ).status_code
        == 404
    )
    db.session.refresh(mine)
    assert mine.refunded_minor == 0


def test_a_zero_total_reads_as_money_and_only_a_zero_price_reads_free(app):
    """Totals, refunds and payments of nothing are '£0.00'; a service or session that costs nothing is 'Free'."""
    money, price = app.jinja_env.filters["money"], app.jinja_env.filters["price"]
    assert money(0, "GBP") == "£0.00"
    assert price(0, "GBP") == "Free"
    assert money(8500, "GBP") == price(8500, "GBP") == "£85.00"
