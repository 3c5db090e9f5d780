"""A client pays for a session on her phone with a test card; the practitioner refunds part of it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Payment
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in
from tests.payments.conftest import wait_until


@pytest.fixture
def app(app_factory, stripe_settings):
    app = app_factory(**stripe_settings)
    with app.app_context():
        yield app


def test_paying_by_card_and_a_partial_refund(new_page, practice, client_user, webhooks_to_portal):
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.goto("/book/")
    page.get_by_role("link", name="See free times for Follow-up").click()
    page.locator(".slot-grid .slot").nth(4).click()
    expect(page.get_by_text("paid by card on the next page")).to_be_visible()
    page.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_role("heading", name="Test mode: no real card is charged")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "pay-375")
    page.get_by_label(re.compile("the bank declines")).check()
    page.get_by_role("button", name="Pay £85.00").click()
    expect(page.get_by_text("Your card was declined.").first).to_be_visible()
    screenshot(page, "pay-declined-375")
    page.get_by_label(re.compile("payment succeeds")).check()
    page.get_by_role("button", name="Pay £85.00").click()
    expect(page.get_by_role("heading", name="Your session is booked")).to_be_visible(timeout=15_000)
    screenshot(page, "paid-375")

    assert wait_until(lambda: db.session.execute(db.select(Payment).filter_by(status="succeeded")).scalar_one_or_none())
    payment = db.session.execute(db.select(Payment).filter_by(status="succeeded")).scalar_one()
    maya = new_page(DESKTOP)
    maya.goto("/account/login")
    log_in(maya, practice.practitioner.email)
    maya.goto(f"/practitioner/bookings/{payment.booking_id}")
    maya.locator("summary", has_text="Refund").click()
    maya.get_by_label("Amount to refund").fill("25")
    maya.get_by_label("Reason", exact=True).fill("Session shortened")
    maya.get_by_role("button", name="Refund", exact=True).click()
    expect(maya.get_by_text("Refund sent.")).to_be_visible()
    expect(maya.locator(".refund").first).to_contain_text("£25.00")
    screenshot(maya, "booking-payments-1280")
    maya.goto("/practitioner/payments")
    expect(maya.locator(".table").first).to_contain_text("£60.00")
    screenshot(maya, "practice-payments-1280")

    page.goto(f"/me/payments/{payment.id}")
    expect(page.get_by_text("£25.00").first).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "receipt-375")
