"""The practitioner's calendar: on a laptop she clicks a free gap, books a new client there and sees the session
on the grid; on a phone the same day is a list."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from portal.db_types import utcnow
from tests.conftest import PRACTICE_TZ
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def test_she_books_a_new_client_into_a_free_gap_and_sees_the_block(new_page, practice, client_user):
    day = utcnow().astimezone(ZoneInfo(PRACTICE_TZ)).date() + timedelta(days=7)
    maya = new_page(DESKTOP)
    maya.goto("/account/login")
    log_in(maya, practice.practitioner.email)
    maya.goto(f"/practitioner/agenda?view=day&date={day.isoformat()}")
    expect(maya.locator(".cal")).to_be_visible()
    expect(maya.locator(".cal-list")).to_be_hidden()
    screenshot(maya, "calendar-day-empty-1280")

    maya.locator(".cal__free").first.click()
    expect(maya.get_by_role("heading", name="Book a session for a client")).to_be_visible()
    expect(maya.get_by_label("Date", exact=True)).to_have_value(day.isoformat())
    expect(maya.get_by_label("Start time")).to_have_value("09:00")
    maya.get_by_label("Client", exact=True).select_option(label="A new client")
    maya.get_by_label("New client's name").fill("Nina Newman")
    maya.get_by_label("New client's e-mail address").fill("nina@example.com")
    maya.get_by_label("Service", exact=True).select_option(label="Follow-up")
    screenshot(maya, "book-for-client-1280")
    maya.get_by_role("button", name="Book").click()
    expect(maya.get_by_text("Booked for Nina Newman")).to_be_visible()

    maya.goto(f"/practitioner/agenda?view=day&date={day.isoformat()}")
    block = maya.locator(".cal__session", has_text="Nina Newman")
    expect(block).to_be_visible()
    expect(block).to_contain_text("09:00–09:45")
    expect(block).to_contain_text("Confirmed")  # the status in words, not colour alone
    screenshot(maya, "calendar-day-1280")
    maya.get_by_role("link", name="Week").click()
    expect(maya.locator(".cal__col")).to_have_count(7)
    expect(maya.locator(".cal__session", has_text="Nina Newman")).to_be_visible()
    screenshot(maya, "calendar-week-1280")
    block = maya.locator(".cal__session", has_text="Nina Newman")
    block.click()
    expect(maya.get_by_role("heading", name="Nina Newman")).to_be_visible()

    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, practice.practitioner.email)
    phone.goto(f"/practitioner/agenda?view=day&date={day.isoformat()}")
    expect(phone.locator(".cal")).to_be_hidden()
    item = phone.locator(".agenda-item", has_text="Nina Newman")
    expect(item).to_be_visible()
    expect(item).to_contain_text("Confirmed")
    assert_fits_phone(phone)
    screenshot(phone, "calendar-day-375")
    phone.get_by_role("link", name="The whole week as a list").click()
    expect(phone.locator(".agenda-day")).to_have_count(7)
    assert_fits_phone(phone)
    screenshot(phone, "calendar-week-375")
    phone.goto(f"/practitioner/book?client={client_user.id}")
    expect(phone.get_by_label("Client", exact=True)).to_have_value(str(client_user.id))
    assert_fits_phone(phone)
    screenshot(phone, "book-for-client-375")
