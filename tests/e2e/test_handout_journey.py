"""The practitioner composes, previews and publishes a handout; the client downloads it on her phone."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from playwright.sync_api import expect

from portal.handouts import protocols
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, open_menu, screenshot
from tests.e2e.test_booking_journey import log_in
from tests.handouts.conftest import LIBRARY, pdf_text


def test_a_handout_is_composed_previewed_published_and_downloaded(
    new_page, practice, client_user, tmp_path, make_booking, make_response
):
    booking = make_booking(client_user, start=datetime(2026, 3, 3, 10, 0, tzinfo=UTC), status="completed")
    for weeks, total in [(0, 64), (2, 61), (4, 58)]:
        make_response(
            client_user, "hit6", total=total, submitted_at=datetime(2026, 1, 6, 9, tzinfo=UTC) + timedelta(weeks=weeks)
        )
    for text in LIBRARY:
        protocols.save_item(None, practice.practitioner, text, is_example=True)

    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, practice.practitioner.email)
    desk.goto(f"/practitioner/bookings/{booking.id}")
    desk.get_by_role("link", name="Protocol and handout").click()
    expect(desk.get_by_role("heading", name="Protocol and handout")).to_be_visible()
    desk.get_by_label("Summary of the session").fill("Your migraines mostly follow short nights and bad gut days.")
    desk.get_by_label("Focus points").fill("Regular sleep\nMore water and fibre")
    desk.get_by_label("Next steps").fill("Keep your diary every day")
    desk.get_by_label("Magnesium glycinate").check()
    desk.get_by_label("Sleep routine").check()
    desk.get_by_role("button", name="Add the chosen items").click()
    expect(desk.get_by_text("The protocol is updated below")).to_be_visible()
    desk.locator("#lines-0-dose").fill("150 mg for a week, then 300 mg")
    desk.get_by_role("button", name="Move Sleep routine up").click()
    expect(desk.locator("#lines-0-title")).to_have_value("Sleep routine")
    expect(desk.get_by_label("Summary of the session")).to_have_value(
        "Your migraines mostly follow short nights and bad gut days."
    )
    screenshot(desk, "handout-compose-1280")
    desk.get_by_role("button", name="Save and preview the handout").click()
    expect(desk.get_by_text("this is how Clara’s handout will look")).to_be_visible()
    expect(desk.locator(".protocol")).to_contain_text("150 mg for a week, then 300 mg")
    expect(desk.locator("svg.chart")).to_be_visible()
    screenshot(desk, "handout-preview-1280")
    desk.get_by_role("button", name="Publish and tell Clara").click()
    expect(desk.get_by_text("Published version 1.")).to_be_visible()

    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, client_user.email)
    expect(phone.get_by_role("link", name="Follow-up, 3 March 2026")).to_be_visible()
    phone.get_by_role("link", name="Your handouts").click()
    expect(phone.get_by_role("heading", name="Your handouts")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "handout-mine-375")
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "handout-2026-03-03-v1.pdf"
    path = tmp_path / "handout.pdf"
    download.save_as(path)
    text = " ".join(pdf_text(path.read_bytes()).split())
    assert "Clara Client" in text and "150 mg for a" in text and "Sleep routine" in text and "Page 1 of" in text


def test_the_compose_page_and_preview_fit_a_phone(new_page, practice, client_user, make_booking):
    booking = make_booking(client_user, start=datetime(2026, 3, 3, 10, 0, tzinfo=UTC), status="completed")
    for text in LIBRARY[:3]:
        protocols.save_item(None, practice.practitioner, text)
    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, practice.practitioner.email)
    phone.goto(f"/practitioner/sessions/{booking.id}/protocol")
    phone.get_by_label("Riboflavin (vitamin B2)").check()
    phone.get_by_role("button", name="Add the chosen items").click()
    expect(phone.locator("#lines-0-title")).to_have_value("Riboflavin (vitamin B2)")
    assert_fits_phone(phone)
    screenshot(phone, "handout-compose-375")
    phone.get_by_role("button", name="Save and preview the handout").click()
    expect(phone.locator(".protocol")).to_contain_text("Riboflavin")
    assert_fits_phone(phone)
    screenshot(phone, "handout-preview-375")


def test_the_library_and_settings_fit_a_phone_and_a_bad_logo_is_explained(new_page, practice, tmp_path):
    for text in LIBRARY:
        protocols.save_item(None, practice.practitioner, text, is_example=True)
    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, practice.practitioner.email)
    open_menu(phone)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Protocol library").click()
    expect(phone.get_by_role("heading", name="Supplement")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "handout-library-375")
    phone.get_by_role("link", name="Handout settings").click()
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"this is not really a picture")
    phone.get_by_label("Practice name").fill("Calm Gut Clinic")
    phone.get_by_label("Logo").set_input_files(bad)
    phone.get_by_role("button", name="Save settings").click()
    expect(phone.get_by_text("This is not a PNG, JPEG or SVG image")).to_be_visible()
    expect(phone.get_by_label("Practice name")).to_have_value("Calm Gut Clinic")
    assert_fits_phone(phone)
    screenshot(phone, "handout-settings-375")
