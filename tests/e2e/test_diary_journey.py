"""A client fills in today's diary on her phone with one hand; the practitioner reads it."""
from __future__ import annotations

from playwright.sync_api import expect

from portal.models import Role
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def test_a_diary_day_on_a_phone(new_page, client_user, make_user):
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My diary").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("group", name="Headache today").get_by_text("Migraine").click()
    page.get_by_role("group", name="At its worst").get_by_text("7", exact=True).click()
    page.get_by_label("How many hours").fill("4")
    page.get_by_text("Triptan").click()
    page.get_by_text("6 · mushy, ragged pieces").click()
    page.get_by_role("group", name="Bloating").get_by_text("6", exact=True).click()
    screenshot(page, "diary-375")
    page.get_by_role("button", name="Save this day").click()
    expect(page.get_by_text("Saved your diary")).to_be_visible()
    expect(page.locator(".table")).to_contain_text("Migraine · 7/10")
    assert_fits_phone(page)
    screenshot(page, "diary-saved-375")

    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, maya.email)
    desk.goto(f"/practitioner/clients/{client_user.id}/diary")
    expect(desk.locator(".table")).to_contain_text("6")
    expect(desk.get_by_text("Not enough data yet")).to_be_visible()
    screenshot(desk, "client-diary-1280")
