"""Sessions in Chromium: the practitioner walks away from a note and comes back after the idle timeout (the
text stays on screen and is saved once she logs in again in another tab), the idle message on the login
page, and "Log out everywhere" on the account page."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.cases import notes, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Note, Role, UserSession
from tests.e2e.conftest import PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def walk_away(minutes: int) -> None:
    db.session.execute(db.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def test_a_note_typed_after_the_idle_timeout_stays_on_screen_and_is_saved_after_logging_in_again(new_page, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Lennox")
    sophie = make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")
    templates.ensure_shipped(maya)
    note = notes.start_note(sophie, maya, templates.templates_of(maya.id)[0], context="")
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, maya.email)
    page.goto(f"/practitioner/notes/{note.id}")
    page.get_by_label("Subjective").fill("Migraines twice a week.")
    expect(page.get_by_text("Draft saved at")).to_be_visible(timeout=20_000)  # a loaded machine

    walk_away(31)
    typed = "Migraines twice a week. Worse after poor sleep."
    page.get_by_label("Subjective").fill(typed)
    expect(page.get_by_text("You were logged out after 30 minutes without activity.")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Not saved: you are logged out.")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "note-logged-out-375")
    with page.expect_response(re.compile(r"/autosave$")) as pressed:
        page.get_by_role("button", name="Save draft").click()  # pressed while logged out: the page and text stay
    assert pressed.value.status == 401
    expect(page.get_by_text("You were logged out after 30 minutes without activity.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/practitioner/notes/{note.id}$"))
    expect(page.get_by_label("Subjective")).to_have_value(typed)
    db.session.expire_all()
    assert notes.sections_of(db.session.get(Note, note.id))[0]["text"] == "Migraines twice a week."

    other_tab = page.context.new_page()
    other_tab.goto("/account/login")
    expect(other_tab.get_by_text("You were logged out after 30 minutes without activity.")).to_be_visible()
    assert_fits_phone(other_tab)
    screenshot(other_tab, "login-after-idle-375")
    log_in(other_tab, maya.email)
    expect(other_tab.get_by_role("heading", level=1)).to_be_visible()
    other_tab.close()

    page.get_by_label("Subjective").press("End")
    page.get_by_label("Subjective").type(" Ok.")
    expect(page.get_by_text("Draft saved at")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("You were logged out after 30 minutes without activity.")).to_be_hidden()
    db.session.expire_all()
    assert notes.sections_of(db.session.get(Note, note.id))[0]["text"] == typed + " Ok."


def test_log_out_everywhere_from_the_account_page(new_page, make_user):
    make_user(email="sophie@example.com", name="Sophie Turner")
    phone, laptop = new_page(PHONE), new_page()
    for page in (phone, laptop):
        page.goto("/account/login")
        log_in(page, "sophie@example.com")
        expect(page.get_by_role("heading", name="Hello, Sophie")).to_be_visible()
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(phone.get_by_role("heading", name="Where you are logged in")).to_be_visible()
    expect(phone.locator(".plain-list li")).to_have_count(2)
    expect(phone.get_by_text("This device")).to_have_count(1)
    assert_fits_phone(phone)
    screenshot(phone, "account-375")
    phone.get_by_role("button", name="Log out everywhere").click()
    expect(phone.get_by_text("You are logged out on every device, this one included.")).to_be_visible()
    laptop.reload()
    expect(laptop.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
