"""The practice's payments page: the sessions still to pay, and the payments, totals and CSV of chosen dates."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.models import Role
from portal.packages import catalogue, purchases
from portal.payments import ledger
from portal.payments.ledger import Period
from portal.practice import settings
from tests.conftest import log_in
from tests.packages.conftest import terms


@pytest.fixture
def app(app_factory):
    """No Stripe keys: sessions with a price are confirmed and paid at the session."""
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def other_service(make_user):
    """A second practitioner, with her own follow-up and hours."""
    lena = make_user(Role.PRACTITIONER, email="lena@example.com", name="Lena Practitioner")
    service = settings.save_service(
        None,
        lena,
        name="Lena's follow-up",
        description="",
        duration_minutes=45,
        price_minor=7000,
        currency="GBP",
        active=True,
    )
    for weekday in range(7):
        settings.add_working_range(lena, weekday, time(9), time(17))
    return service


def _owed_ids(practitioner_id):
    owed, count = ledger.still_to_pay(practitioner_id)
    assert count == len(owed)
    return [row.booking.id for row in owed]


def test_still_to_pay_lists_unpaid_and_part_paid_sessions_oldest_first(
    practice, client_user, make_booking, make_payment
):
    later = make_booking(client_user, in_days=9)
    held = make_booking(client_user, status="completed")
    part = make_booking(client_user, in_days=5)
    make_payment(part, 5000)
    refunded = make_booking(client_user, in_days=6)
    make_payment(refunded, refunded_minor=1000)  # paid in full, then £10 back: £10 still to pay
    paid = make_booking(client_user, in_days=7)
    make_payment(paid)
    make_booking(client_user, in_days=8, status="cancelled")
    make_booking(client_user, status="no_show")
    make_booking(client_user, practice.discovery, in_days=4)  # free
    owed, count = ledger.still_to_pay(practice.practitioner.id)
    assert [row.booking.id for row in owed] == [held.id, part.id, refunded.id, later.id] and count == 4
    assert [row.due_minor for row in owed] == [8500, 3500, 1000, 8500]


def test_a_session_on_a_package_credit_is_not_still_to_pay(practice, client_user, make_booking):
    package = catalogue.publish(catalogue.create(practice.practitioner, terms(practice)))
    purchases.record_purchase(
        purchases.quote(package, client_user, "", utcnow().date()), client_user, practice.practitioner, utcnow()
    )
    on_credit = lifecycle.book(
        client_user, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=False, use_credit=True
    )
    assert purchases.credit_of(on_credit.id) is not None
    unpaid = make_booking(client_user, in_days=10)
    assert _owed_ids(practice.practitioner.id) == [unpaid.id]


def test_still_to_pay_is_bounded_and_counts_them_all(practice, client_user, make_booking):
    first, second, _ = (make_booking(client_user, in_days=days) for days in (3, 4, 5))
    owed, count = ledger.still_to_pay(practice.practitioner.id, limit=2)
    assert [row.booking.id for row in owed] == [first.id, second.id] and count == 3


def test_a_practitioner_sees_what_her_own_clients_owe_and_the_practice_sees_all(
    app, client, practice, client_user, other_service, make_booking, make_user
):
    hers = make_booking(client_user, in_days=3)
    lenas = make_booking(client_user, other_service, in_days=4)
    assert _owed_ids(practice.practitioner.id) == [hers.id]
    assert _owed_ids(None) == [hers.id, lenas.id]
    log_in(client, "lena@example.com")
    page = client.get("/practitioner/payments").get_data(as_text=True)
    assert "Still to pay" in page and f"/practitioner/bookings/{lenas.id}#" in page
    assert f"/practitioner/bookings/{hers.id}#" not in page and "£70.00 to pay" in page
    desk = app.test_client()
    log_in(desk, make_user(Role.ASSISTANT, email="desk@example.com").email)
    page = desk.get("/practitioner/payments").get_data(as_text=True)
    assert f"/practitioner/bookings/{hers.id}#" in page and f"/practitioner/bookings/{lenas.id}#" in page


def _paid_on(make_payment, booking, day: date, amount: int):
    return make_payment(booking, amount, at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


@pytest.fixture
def three_payments(practice, client_user, make_booking, make_payment):
    booking = make_booking(client_user)
    for day, amount in ((date(2026, 1, 31), 1000), (date(2026, 2, 1), 2000), (date(2026, 2, 28), 3000)):
        _paid_on(make_payment, booking, day, amount)
    # 23:30 on 28 February in London is still the 28th; 00:30 on 1 March in London is the 1st (GMT in winter).
    make_payment(booking, 400, at=datetime(2026, 3, 1, 0, 30, tzinfo=UTC))
    return booking


def test_the_period_includes_both_its_days(practice, three_payments):
    amounts = lambda period: sorted(p.amount_minor for p in ledger.practice_payments(None, period, "Europe/London"))  # noqa: E731
    assert amounts(Period(date(2026, 2, 1), date(2026, 2, 28))) == [2000, 3000]
    assert amounts(Period(date(2026, 2, 1), None)) == [400, 2000, 3000]
    assert amounts(Period(None, date(2026, 1, 31))) == [1000]
    assert amounts(Period(date(2026, 3, 1), date(2026, 3, 1))) == [400]
    assert amounts(Period()) == [400, 1000, 2000, 3000]


def test_the_dates_filter_the_list_the_totals_and_the_csv(client, practice, three_payments):
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/payments?from=2026-02-01&to=2026-02-28").get_data(as_text=True)
    assert "February 2026" in page and "January 2026" not in page and "March 2026" not in page
    assert "£50.00" in page and "£10.00" not in page
    assert 'href="/practitioner/payments?format=csv&amp;from=2026-02-01&amp;to=2026-02-28"' in page
    export = client.get("/practitioner/payments?format=csv&from=2026-02-01&to=2026-02-28").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export)))
    amount = rows[0].index("amount")
    assert sorted(row[amount] for row in rows[1:]) == ["20.00", "30.00"]
    everything = list(csv.reader(io.StringIO(client.get("/practitioner/payments?format=csv").get_data(as_text=True))))
    assert len(everything) == 5
    assert 'href="/practitioner/payments?format=csv"' in client.get("/practitioner/payments").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=yesterday", "from", "written like 2026-03-31"),
        ("to=2026-02-30", "to", "written like 2026-03-31"),
        ("from=1800-01-01", "from", "between 1900 and 2100"),
        ("from=" + "9" * 500, "from", "written like"),
        ("from=2026-03-01&to=2026-02-01", "to", "before the start date"),
    ],
)
def test_bad_dates_are_said_beside_the_field_and_never_fail(client, practice, three_payments, query, field, message):
    log_in(client, practice.practitioner.email)
    response = client.get(f"/practitioner/payments?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and f'id="period-{field}-error"' in body and message in body
    assert "Correct the dates above to see the payments." in body and "Still to pay" in body
    export = client.get(f"/practitioner/payments?format=csv&{query}")
    assert export.status_code == 400 and export.mimetype == "text/html"
