"""The practitioner finds a client, reads her case file, writes a session note (autosaved), meets a second
tab's newer save, signs the note and amends it; and the case file on a phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from portal.cases import notes, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Role
from portal.practice import settings
from portal.questionnaires import diary_entries
from portal.records import profiles
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def hour_from_now(hours: float) -> datetime:
    return (utcnow() + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


def noon_in_days(days: int) -> datetime:
    """Midday UTC that many days away: a session then never runs past her day's end, whatever the hour of the run
    (a 75-minute session at 22:00 UTC on a summer-time day would end after midnight in London)."""
    return (utcnow() + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def case(make_user, make_booking, make_payment, make_response):
    """Sophie, eight weeks into working with Maya: sessions, payments, answers, a diary and a signed note."""
    maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Lennox")
    sophie = make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")
    make_user(Role.CLIENT, email="sam@example.com", name="Sam Okafor")
    initial = settings.save_service(
        None,
        maya,
        name="Initial consultation",
        description="",
        duration_minutes=75,
        price_minor=15000,
        currency="GBP",
        active=True,
    )
    follow_up = settings.save_service(
        None, maya, name="Follow-up", description="", duration_minutes=45, price_minor=8500, currency="GBP", active=True
    )
    for weekday in range(7):  # she works any hour, so the sessions below fit whenever the test runs
        settings.add_working_range(maya, weekday, time(0), time(0))
    first = make_booking(sophie, initial, start=noon_in_days(-56), status="completed")
    second = make_booking(sophie, follow_up, start=noon_in_days(-28), status="completed")
    today_session = make_booking(sophie, follow_up, start=hour_from_now(-1))
    make_booking(sophie, follow_up, start=noon_in_days(27))
    for paid in (first, second):
        make_payment(paid, at=paid.starts_at)
    for weeks_ago, hit6, ibs in [(8, 64, 320), (4, 60, 250), (0, 55, 180)]:
        when = utcnow() - timedelta(weeks=weeks_ago, hours=2)
        make_response(sophie, "hit6", total=hit6, submitted_at=when)
        make_response(sophie, "ibs_sss", total=ibs, submitted_at=when)
    profiles.save_profile(
        sophie.id,
        sophie.id,
        {
            "phone": "07700 900123",
            "conditions": "Migraine without aura since her teens; IBS with constipation.",
            "medication": "Sumatriptan 50 mg when needed (about 8 days a month).",
            "supplements": "Magnesium glycinate 300 mg at night.",
            "allergies": "None known.",
            "goals": "Fewer migraine days; a calmer gut; coffee without fear.",
            "gp_name": "Dr Anika Patel",
            "gp_practice": "Riverside Surgery, 12 Mill Lane",
        },
        None,
    )
    db.session.commit()
    today = utcnow().astimezone(ZoneInfo(sophie.timezone)).date()
    for n in range(0, 45):
        diary_entries.save_entry(
            sophie,
            today - timedelta(days=n),
            today,
            headache="migraine" if n % 7 == 1 else "headache" if n % 7 == 4 else "none",
            intensity=6 if n % 7 == 1 else 3,
            headache_minutes=240,
            medication={"triptan"} if n % 7 == 1 else set(),
            stool_types=[2] if n % 7 == 0 else [4],
            bloating=7 if n % 7 == 0 else 2,
            abdominal_pain=n % 3,
            note="",
        )
    templates.ensure_shipped(maya)
    shipped = templates.templates_of(maya.id)
    old = notes.start_note(
        sophie,
        maya,
        shipped[0],
        booking=first,
        context="HIT-6 64 (severe impact).",
        title="Initial consultation · migraine",
    )
    notes.save_draft(
        old,
        1,
        old.title,
        [
            "Migraines 8 days a month, worse before her period; hard stools.",
            "HIT-6 64, IBS-SSS 320.",
            "Gut-brain: constipation and triptan use.",
            "Magnesium at night; fibre and water; diary daily.",
        ],
    )
    notes.sign_note(old, old.revision, maya)
    return maya, sophie, today_session, shipped


def test_write_sign_and_amend_a_session_note(new_page, case):
    maya, sophie, today_session, shipped = case
    page = new_page(DESKTOP)
    page.goto("/account/login")
    log_in(page, maya.email)

    page.get_by_label("Find a client by name or e-mail").fill("sophie")
    page.get_by_label("Find a client by name or e-mail").press("Enter")
    expect(page.get_by_role("heading", name="Sophie Turner", level=1)).to_be_visible()
    expect(page.locator("#profile")).to_contain_text("Sumatriptan 50 mg")
    expect(page.locator("#sessions")).to_contain_text("Paid £150.00")
    expect(page.locator("#scores")).to_contain_text("HIT-6")
    screenshot(page, "case-file-1280")

    page.locator("#sessions").get_by_role("link", name="Write a note").first.click()
    page.get_by_label("Template").select_option(label="Follow-up · migraine")
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_text("Figures when the note was started")).to_be_visible()
    expect(page.locator(".note-context")).to_contain_text("HIT-6 55")
    note_url = page.url

    page.get_by_label("Subjective").fill("Three migraine days this month, none before her period.")
    expect(page.get_by_text("Draft saved at")).to_be_visible(timeout=20_000)  # a loaded machine
    page.close()  # the tab is closed without pressing anything

    tab_one = new_page(DESKTOP)
    tab_one.goto("/account/login")
    log_in(tab_one, maya.email)
    tab_one.goto(note_url)
    expect(tab_one.get_by_label("Subjective")).to_have_value("Three migraine days this month, none before her period.")
    tab_two = tab_one.context.new_page()
    tab_two.goto(note_url)

    tab_one.get_by_label("Plan").fill("Keep magnesium; add riboflavin 400 mg with breakfast.")
    expect(tab_one.get_by_text("Draft saved at")).to_be_visible(timeout=20_000)  # a loaded machine
    tab_two.get_by_label("Assessment").fill("Typed in the older tab.")
    expect(tab_two.get_by_text("A newer version of this note was saved in another tab")).to_be_visible(timeout=20_000)
    expect(tab_two.get_by_label("Assessment")).to_have_value("Typed in the older tab.")  # kept for copying
    screenshot(tab_two, "note-conflict-1280")

    tab_one.get_by_label("Assessment").fill("Responding: migraine days halved since the start.")
    tab_one.get_by_label("Objective").fill("HIT-6 55, IBS-SSS 180; Bristol 4 most days.")
    screenshot(tab_one, "note-draft-1280")
    tab_one.once("dialog", lambda dialog: dialog.accept())
    tab_one.get_by_role("button", name="Sign and lock").click()
    expect(tab_one.get_by_text("Signed and locked.")).to_be_visible()
    expect(tab_one.get_by_text("fingerprint matches")).to_be_visible()
    expect(tab_one.locator(".signed-section")).to_have_count(4)
    expect(tab_one.locator(".signed-section").nth(2)).to_contain_text("migraine days halved")

    tab_one.get_by_label("Why you are amending it").fill("She phoned: the triptan count was wrong")
    tab_one.get_by_label("What to add or correct").fill("Triptan on 3 days this month, not 5.")
    tab_one.get_by_role("button", name="Add amendment").click()
    expect(tab_one.get_by_text("Amendment added.")).to_be_visible()
    expect(tab_one.locator(".amendment")).to_contain_text("Reason: She phoned: the triptan count was wrong")
    expect(tab_one.locator(".signed-section").nth(3)).to_contain_text("riboflavin 400 mg")  # original unchanged
    screenshot(tab_one, "note-signed-amended-1280")

    tab_one.goto(f"/practitioner/clients/{sophie.id}")
    expect(tab_one.locator("#notes .note-list__title")).to_have_count(2)
    expect(tab_one.locator("#notes")).to_contain_text("1 amendment")


def test_the_case_file_and_a_note_on_a_phone(new_page, case):
    maya, sophie, today_session, shipped = case
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, maya.email)
    page.goto(f"/practitioner/clients/{sophie.id}")
    expect(page.get_by_role("heading", name="Sophie Turner", level=1)).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "case-file-375")
    page.get_by_role("link", name="Write a note").first.click()
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_label("Subjective")).to_be_visible()  # the note's page, then its scripts have run:
    page.wait_for_load_state("load")  # the autosave script listens from then on, and typing before it is missed
    page.get_by_label("Subjective").fill("Feeling better.")
    expect(page.get_by_text("Draft saved at")).to_be_visible(timeout=20_000)  # a loaded machine
    assert_fits_phone(page)
    screenshot(page, "note-draft-375")
    expect(page.get_by_role("button", name="Sign and lock")).to_be_in_viewport()  # the bar stays in reach
    page.screenshot(path=str(SCREENSHOTS / "note-draft-375-while-writing.png"))
    page.goto("/practitioner/clients")
    assert_fits_phone(page)
    screenshot(page, "clients-375")
    page.goto("/practitioner/note-templates")
    page.get_by_role("link", name="Edit Follow-up · gut").click()
    page.get_by_label("Section title").first.fill("Her story")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template saved.")).to_be_visible()
    expect(page.get_by_text("Her story · Objective · Assessment · Plan")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "note-templates-375")
