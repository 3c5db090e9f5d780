"""The owner fills in how clients reach the practice, and sees it at the foot of the pages; the practitioner's
dashboard shows what happened since she last looked, and she marks it as seen. In Chromium at 1280 and 375 px."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.models import Role
from portal.payments import refunds
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.factories import book, pay


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_owner_says_how_to_reach_the_practice_and_reads_what_happened(new_page, practice, make_user):
    sophie = make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")
    amelia = make_user(Role.CLIENT, email="amelia@example.com", name="Amelia Hart")
    first = book(sophie, practice.follow_up, in_days=3)
    pay(first, 8500)
    book(amelia, practice.follow_up, in_days=4)
    refunds.cancel(book(amelia, practice.discovery, in_days=5), amelia, reason="Feeling much better, thank you")

    for device, width in ((DESKTOP, 1280), (PHONE, 375)):
        page = new_page(device)
        _log_in(page, practice.practitioner.email)
        page.goto("/practitioner/settings/#contact")
        page.get_by_label("Phone").fill("call me maybe")
        page.get_by_label("E-mail", exact=True).fill("hello@practice.example")
        page.get_by_role("button", name="Save contact details").click()
        expect(page.locator("#contact-phone-error")).to_contain_text("Enter a phone number")
        expect(page.get_by_label("E-mail", exact=True)).to_have_value("hello@practice.example")  # kept
        page.locator("#contact").scroll_into_view_if_needed()
        screenshot(page, f"practice-contact-error-{width}")
        page.get_by_label("Phone").fill("020 7946 0123")
        page.get_by_label("Registration details").fill("Registered with BANT, no. 12345")
        page.get_by_role("button", name="Save contact details").click()
        expect(page.get_by_text("The practice's contact details are saved.")).to_be_visible()
        expect(page.locator(".site-footer")).to_contain_text("020 7946 0123")
        expect(page.locator(".site-footer")).to_contain_text("Registered with BANT, no. 12345")
        if width == 375:
            assert_fits_phone(page)

        page.goto("/practitioner/")
        feed = page.locator("#what-happened")
        expect(feed).to_contain_text("New booking")
        expect(feed).to_contain_text("Feeling much better")
        expect(feed).to_contain_text("Cancelled")
        screenshot(page, f"dashboard-what-happened-{width}")
        if width == 375:
            assert_fits_phone(page)
    page.get_by_role("button", name="Mark all as seen").click()
    expect(page.locator("#what-happened")).to_contain_text("Nothing new")
