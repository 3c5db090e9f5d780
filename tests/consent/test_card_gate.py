"""With card payments on (localstripe), the documents are signed before the booking is created or paid."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from portal.booking.pages import iso
from portal.extensions import db
from portal.models import Booking, Payment
from tests.conftest import csrf_token_from, log_in, submit_form
from tests.consent.conftest import sign_as


@pytest.fixture
def app(app_factory, stripe_settings):
    app = app_factory(**stripe_settings)
    with app.app_context():
        yield app


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_paid_booking_is_neither_created_nor_paid_before_she_signs(client, practice, published, client_user):
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    url = f"/book/{practice.follow_up.id}/confirm"
    chosen = f"{url}?start={quote(iso(start))}"
    token = csrf_token_from(client.get("/me/consent").get_data(as_text=True))
    refused = client.post(url, data={"start": iso(start), "csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/me/consent")
    assert (count(Booking), count(Payment)) == (0, 0)

    for version in published:
        sign_as(client_user, version)
    assert "Continue to payment" in client.get(chosen).get_data(as_text=True)
    booked = submit_form(client, url, {"start": iso(start)}, form_url=chosen)
    booking = db.session.execute(db.select(Booking)).scalar_one()
    assert booked.status_code == 302 and booked.headers["Location"].endswith(f"/{booking.id}/pay")
