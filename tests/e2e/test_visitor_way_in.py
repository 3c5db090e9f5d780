"""A visitor chooses a time and sees it on the log-in page; the practitioner's payments page with what is still
to pay and a date filter: on a phone and a desktop, screenshot for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


@pytest.fixture
def app(app_factory):
    app = app_factory()  # no Stripe keys: sessions are paid at the session
    with app.app_context():
        yield app


@pytest.mark.parametrize(("device", "width"), [(PHONE, 375), (DESKTOP, 1280)])
def test_the_chosen_time_is_on_the_login_page(new_page, practice, device, width):
    page = new_page(device)
    page.goto("/")
    page.locator("#main").get_by_role("link", name="Book a session").click()
    page.get_by_role("link", name="See free times for Follow-up").click()
    page.locator(".slot-grid .slot").first.click()
    expect(page.get_by_text("You are booking:")).to_contain_text("Follow-up")
    expect(page.get_by_text("You are booking:")).to_contain_text("UK time")
    if width == 375:
        assert_fits_phone(page)
    screenshot(page, f"login-with-booking-{width}")


@pytest.mark.parametrize(("device", "width"), [(PHONE, 375), (DESKTOP, 1280)])
def test_the_payments_page_shows_what_is_still_to_pay(
    new_page, practice, client_user, make_booking, make_payment, device, width
):
    make_payment(make_booking(client_user, in_days=3), 2500)
    make_booking(client_user, status="completed")
    page = new_page(device)
    page.goto("/account/login")
    log_in(page, practice.practitioner.email)
    page.goto("/practitioner/payments?from=2100-13-01")
    expect(page.get_by_text("Enter a date between 1900 and 2100")).to_be_visible()
    page.goto("/practitioner/payments")
    expect(page.get_by_role("heading", name="Still to pay")).to_be_visible()
    expect(page.get_by_text("£60.00 to pay")).to_be_visible()
    if width == 375:
        assert_fits_phone(page)
    screenshot(page, f"practice-payments-owed-{width}")
