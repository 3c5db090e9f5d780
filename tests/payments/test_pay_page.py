"""With real Stripe keys the card page loads Stripe.js from Stripe, and its CSP allows exactly that."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import PackageInstalment, Payment
from portal.packages import catalogue, purchases
from tests.conftest import csrf_token_from, log_in
from tests.packages.conftest import terms


@pytest.fixture
def app(app_factory):
    app = app_factory(
        STRIPE_SECRET_KEY="sk_live_example",
        STRIPE_PUBLISHABLE_KEY="pk_live_example",
        STRIPE_WEBHOOK_SECRET="whsec_example",
    )
    with app.app_context():
        yield app


def test_the_card_page_uses_the_payment_element_with_a_matching_csp(client, practice, client_user):
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=1)][0]
    booking = lifecycle.book(client_user, practice.follow_up, start, needs_payment=True)
    db.session.add(
        Payment(
            booking_id=booking.id,
            client_id=client_user.id,
            method="card",
            status="pending",
            amount_minor=8500,
            currency="GBP",
            stripe_payment_intent_id="pi_existing",
            stripe_client_secret="pi_existing_secret_abc",
        )
    )
    db.session.commit()
    log_in(client, client_user.email)
    response = client.get(f"/me/bookings/{booking.id}/pay")
    page = response.get_data(as_text=True)
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert 'data-client-secret="pi_existing_secret_abc"' in page and 'data-publishable-key="pk_live_example"' in page
    assert "Test mode" not in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com" in csp and "frame-src https://js.stripe.com" in csp
    test_card = client.post(
        f"/me/bookings/{booking.id}/pay/test-card", data={"card": "pm_card_visa", "csrf_token": csrf_token_from(page)}
    )
    assert test_card.status_code == 404  # no test cards against real Stripe
    other_csp = client.get("/me/").headers["Content-Security-Policy"]
    assert "stripe" not in other_csp


def test_a_package_instalments_card_page_has_the_same_csp(client, practice, client_user):
    version = catalogue.publish(catalogue.create(practice.practitioner, terms(practice)))
    purchase = purchases.buy_online(
        purchases.quote(version, client_user, "", utcnow().date()), client_user, utcnow(), timedelta(minutes=30)
    )
    first = db.session.scalars(db.select(PackageInstalment).filter_by(purchase_id=purchase.id, number=1)).one()
    db.session.add(
        Payment(
            instalment_id=first.id,
            client_id=client_user.id,
            method="card",
            status="pending",
            amount_minor=first.amount_minor,
            currency="GBP",
            stripe_payment_intent_id="pi_package",
            stripe_client_secret="pi_package_secret_abc",
        )
    )
    db.session.commit()
    log_in(client, client_user.email)
    response = client.get(f"/me/packages/instalments/{first.id}/pay")
    page = response.get_data(as_text=True)
    assert 'data-client-secret="pi_package_secret_abc"' in page and "Test mode" not in page
    assert "script-src 'self' https://js.stripe.com" in response.headers["Content-Security-Policy"]
    test_card = client.post(
        f"/me/packages/instalments/{first.id}/pay/test-card",
        data={"card": "pm_card_visa", "csrf_token": csrf_token_from(page)},
    )
    assert test_card.status_code == 404  # no test cards against real Stripe
