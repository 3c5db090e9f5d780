"""Issue 19's journey on a phone: a client buys the 3-month gut reset with a promo code by test card, books two
follow-ups with its sessions, cancels one in time and sees it back in her package; the practitioner sees the
sale, the sessions and the plan."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import PackagePurchase
from portal.packages import catalogue, promo
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in
from tests.packages.conftest import terms
from tests.payments.conftest import wait_until


@pytest.fixture
def app(app_factory, stripe_settings):
    app = app_factory(**stripe_settings)
    with app.app_context():
        yield app


def _book_a_follow_up(page, day: int, left: int) -> None:
    """A follow-up at the first free time of the `day`th day with free times (days ahead: well inside the policy)."""
    page.goto("/book/")
    page.get_by_role("link", name="See free times for Follow-up").click()
    page.locator(".day-picker .day-chip").nth(day).click()
    page.locator(".slot-grid .slot").first.click()
    expect(page.get_by_text(f"Uses 1 of your {left} Follow-up sessions")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("Your session is booked.")).to_be_visible()


def test_buying_a_package_with_a_code_and_booking_on_its_sessions(new_page, practice, client_user, webhooks_to_portal):
    catalogue.publish(catalogue.create(practice.practitioner, terms(practice)))
    promo.create_code(practice.practitioner, "WELCOME25", currency="GBP", percent=25, all_packages=True, max_uses=10)

    phone = new_page(PHONE)
    phone.goto("/book/")
    expect(phone.get_by_role("heading", name="Packages")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "book-with-packages-375")
    phone.get_by_role("link", name="See the package 3-month gut reset").click()
    expect(phone.get_by_text("5 × Follow-up")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "package-375")
    phone.get_by_role("link", name="Buy this package").click()
    log_in(phone, client_user.email)  # the log-in page brings her back to the package

    expect(phone.get_by_role("heading", name="Buy “3-month gut reset”")).to_be_visible()
    phone.get_by_label("Promo code (optional)").fill("welcome25")
    phone.get_by_role("button", name="Apply code").click()
    expect(phone.get_by_text("with WELCOME25")).to_be_visible()
    expect(phone.locator(".summary")).to_contain_text("£300.00")
    assert_fits_phone(phone)
    screenshot(phone, "package-buy-375")
    phone.get_by_role("button", name="Continue to payment: £100.00").click()

    expect(phone.get_by_role("heading", name="Pay for your package")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "package-pay-375")
    phone.get_by_label(re.compile("payment succeeds")).check()
    phone.get_by_role("button", name="Pay £100.00").click()
    expect(phone.get_by_role("heading", name="Your package is ready")).to_be_visible(timeout=15_000)
    assert_fits_phone(phone)
    screenshot(phone, "package-paid-375")
    assert wait_until(lambda: db.session.scalars(db.select(PackagePurchase)).one().status == "active")

    _book_a_follow_up(phone, 3, 5)
    first_booking = phone.url
    _book_a_follow_up(phone, 4, 4)
    phone.goto(first_booking)
    phone.locator("summary", has_text="Cancel this session").click()
    phone.get_by_role("button", name="Cancel session").click()
    expect(phone.get_by_text("The session is back in your package")).to_be_visible()
    phone.goto("/me/packages/")
    expect(phone.locator(".holding")).to_contain_text("4 of 5 Follow-up sessions left (1 used)")
    expect(phone.locator(".holding")).to_contain_text("paid £100.00 of £300.00 (£100.00 off with a code)")
    assert_fits_phone(phone)
    screenshot(phone, "package-mine-375")
    phone.goto("/me/")
    expect(phone.locator("#packages")).to_contain_text("paid £100.00 of £300.00")
    assert_fits_phone(phone)
    screenshot(phone, "package-home-375")

    maya = new_page(DESKTOP)
    maya.goto("/account/login")
    log_in(maya, practice.practitioner.email)
    maya.goto("/practitioner/payments")
    sale = maya.locator("section[aria-labelledby=list-title] li", has_text="3-month gut reset")
    expect(sale).to_contain_text("£100.00")
    expect(sale).to_contain_text("payment 1 of 3")
    expect(sale).to_contain_text("code WELCOME25, £100.00 off the package")
    report = maya.locator("table.report")
    expect(report.locator("tr", has_text="3-month gut reset")).to_contain_text("£100.00")
    credits = maya.locator("section[aria-labelledby=credits-title] tr", has_text="3-month gut reset")
    expect(credits).to_contain_text("Follow-up")
    expect(credits).to_contain_text("1")  # the cancelled one went back
    screenshot(maya, "package-sale-1280")
    maya.goto(f"/practitioner/clients/{client_user.id}/packages")
    card = maya.locator(".holding")
    expect(card).to_contain_text("4 of 5 Follow-up sessions left (1 used)")
    expect(card).to_contain_text(re.compile(r"Payment 2: £100\.00, due"))
    expect(card).to_contain_text(re.compile(r"Payment 3: £100\.00, due"))
    screenshot(maya, "package-desk-1280")
    maya.set_viewport_size(PHONE["viewport"])
    maya.reload()
    assert_fits_phone(maya)
    screenshot(maya, "package-desk-375")
    maya.goto("/practitioner/payments")
    assert_fits_phone(maya)
    screenshot(maya, "package-sale-375")
