"""In Chromium: the client fills in her details on a phone; the practitioner reads them, what changed,
the audit trail, and the export and erasure pages."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in
from tests.records import conftest as records_fixtures

clara = records_fixtures.clara  # the client with her records, a fixture


def test_details_on_a_phone_then_the_practitioners_pages(new_page, clara, practice):
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, "clara@example.com")
    page.get_by_role("link", name="My details").click()
    expect(page.get_by_role("heading", name="My details")).to_be_visible()
    page.get_by_label("Phone", exact=True).fill("call me maybe")
    page.get_by_label("Supplements").fill("Magnesium glycinate 300 mg at night; riboflavin 400 mg")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_text("Enter a phone number")).to_be_visible()
    expect(page.get_by_label("Supplements")).to_have_value("Magnesium glycinate 300 mg at night; riboflavin 400 mg")
    assert_fits_phone(page)
    screenshot(page, "records-profile-error-375")
    page.get_by_label("Phone", exact=True).fill("07700 900123")
    page.get_by_label("Allergies and intolerances").fill("None known")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "records-profile-375")
    page.get_by_role("link", name="Download everything we hold about you").click()
    page.get_by_role("button", name="Download my data").click()
    expect(page.get_by_text("Enter your password.")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "records-my-export-375")
    page.get_by_label("Your password").fill("quiet-morning-walk")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename.endswith(".zip")

    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, "maya@example.com")
    desk.goto(f"/practitioner/clients/{clara.client.id}/profile")
    expect(desk.get_by_role("heading", name="What changed and when")).to_be_visible()
    expect(desk.locator(".history li").first).to_contain_text("Supplements, Allergies and intolerances")
    desk.locator(".history summary").first.click()
    expect(desk.locator(".history").first).to_contain_text("riboflavin 400 mg")
    screenshot(desk, "records-practitioner-profile-1280")
    desk.get_by_role("link", name="Audit trail").click()
    expect(desk.locator("table")).to_contain_text("Viewed the profile")
    screenshot(desk, "records-audit-1280")
    desk.get_by_role("link", name="Export").click()
    screenshot(desk, "records-export-1280")
    desk.get_by_role("link", name="Erase").click()
    desk.get_by_label("Type the client's e-mail address to confirm").fill("wrong@example.com")
    desk.get_by_role("button", name="Erase this client").click()
    expect(desk.get_by_text("That is not this client's e-mail address.")).to_be_visible()
    screenshot(desk, "records-erase-1280")

    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, "maya@example.com")
    phone.goto(f"/practitioner/clients/{clara.client.id}/profile")
    assert_fits_phone(phone)
    screenshot(phone, "records-practitioner-profile-375")
    phone.goto(f"/practitioner/clients/{clara.client.id}/audit")
    assert_fits_phone(phone)
    screenshot(phone, "records-audit-375")
