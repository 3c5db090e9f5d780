"""A client books a session on her phone; the practitioner finds it in her agenda."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.practice import settings
from tests.conftest import PRACTICE_TZ, TEST_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot


def log_in(page: Page, email: str) -> None:
    """Log in from the log-in page and wait until the portal has taken her on (a step that follows at once could
    otherwise act on the log-in page under load)."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/account/login" not in url)


def test_a_visitor_books_on_her_phone_and_the_practitioner_sees_it(new_page, practice, make_user):
    make_user(email="priya@example.com", name="Priya Raman", timezone="Asia/Kolkata")
    practice.follow_up.description = "We review your diary and questionnaires and adjust your protocol."
    db.session.commit()
    first_free = practice.free(practice.follow_up)[0]

    page = new_page(PHONE, timezone_id="Asia/Kolkata")
    page.goto("/book/")
    expect(page.get_by_role("heading", name="Follow-up")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "book-services-375")

    page.get_by_role("link", name="See free times for Follow-up").click()
    # The visitor's phone is in Kolkata: the page switches to her zone by itself.
    expect(page).to_have_url(re.compile(r"tz=Asia%2F(Kolkata|Calcutta)"))  # Chromium says Calcutta
    local = first_free.astimezone(ZoneInfo("Asia/Kolkata"))
    first_slot = page.locator(".slot-grid .slot").first
    expect(first_slot).to_have_text(local.strftime("%H:%M"))
    assert_fits_phone(page)
    screenshot(page, "book-slots-375")

    first_slot.click()
    expect(page).to_have_url(re.compile(r"/account/login"))  # she logs in on the way
    log_in(page, "priya@example.com")
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_text("Your time zone: India – Mumbai, Delhi, Kolkata")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "book-confirm-375")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_text("Your session is booked.")).to_be_visible()
    expect(page.get_by_text("Confirmed")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "booking-client-375")
    page.get_by_role("link", name="My home").first.click()
    expect(page.locator(".bookings")).to_contain_text("Follow-up")
    screenshot(page, "client-home-booked-375")

    maya = new_page(DESKTOP)
    maya.goto("/account/login")
    log_in(maya, practice.practitioner.email)
    day = first_free.astimezone(ZoneInfo(PRACTICE_TZ)).date()
    maya.goto(f"/practitioner/agenda?view=week&date={day.isoformat()}")
    item = maya.locator(".cal__session", has_text="Priya Raman")  # her calendar; a phone shows the list
    expect(item).to_contain_text(first_free.astimezone(ZoneInfo(PRACTICE_TZ)).strftime("%H:%M"))
    expect(item).to_contain_text("Follow-up")
    screenshot(maya, "agenda-week-1280")
    item.click()
    expect(maya.get_by_role("heading", name="Priya Raman")).to_be_visible()
    expect(maya.locator(".history")).to_contain_text("Created")
    screenshot(maya, "booking-practitioner-1280")


def test_the_practitioner_pages_look_right(new_page, practice, make_user):
    """Screenshots of a busy agenda day, her services and her settings, on desktop and phone."""
    now = utcnow()
    people = [make_user(name=name) for name in ("Sophie Turner", "Amelia Hart", "Priya Raman")]
    start = [s for s in practice.free(practice.follow_up) if s > now + timedelta(days=1)][0]
    day = start.astimezone(ZoneInfo(PRACTICE_TZ)).date()
    for person, service in zip(people, (practice.follow_up, practice.discovery, practice.follow_up), strict=True):
        free = [s for s in practice.free(service) if s.astimezone(ZoneInfo(PRACTICE_TZ)).date() == day]
        lifecycle.book(person, service, free[0], needs_payment=False)
    settings.add_time_off(practice.practitioner, day + timedelta(days=20), day + timedelta(days=27), "Summer break")

    for device, width in ((DESKTOP, 1280), (PHONE, 375)):
        page = new_page(device)
        page.goto("/account/login")
        log_in(page, practice.practitioner.email)
        page.goto(f"/practitioner/agenda?date={day.isoformat()}")
        expect(page.locator(".agenda-item")).to_have_count(3)
        screenshot(page, f"agenda-day-{width}")
        page.goto("/practitioner/services/")
        expect(page.get_by_role("heading", name="Discovery call")).to_be_visible()
        screenshot(page, f"practice-services-{width}")
        page.goto("/practitioner/settings/")
        expect(page.get_by_text("Summer break")).to_be_visible()
        screenshot(page, f"practice-settings-{width}")
        if device is PHONE:
            assert_fits_phone(page)
