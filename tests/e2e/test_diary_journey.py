"""A client fills in today's diary on her phone with one hand; the practitioner reads it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from portal.db_types import utcnow
from portal.models import Role
from portal.questionnaires import diary_entries
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
    page.get_by_text("Tummy", exact=True).click()  # the section opens
    page.get_by_text("6 · mushy, ragged pieces").click()
    page.get_by_role("group", name="Bloating").get_by_text("6", exact=True).click()
    screenshot(page, "diary-375")
    page.get_by_role("button", name="Save this day").click()
    expect(page.get_by_text("Saved your diary")).to_be_visible()
    expect(page.locator(".table")).to_contain_text("Migraine · 7/10")
    assert_fits_phone(page)
    screenshot(page, "diary-saved-375")

    today = utcnow().astimezone(ZoneInfo(client_user.timezone)).date()
    for n in range(1, 40):  # five more weeks of diary behind today
        diary_entries.save_entry(
            client_user,
            today - timedelta(days=n),
            today,
            headache="migraine" if n % 6 == 1 else "headache" if n % 6 == 4 else "none",
            intensity=3 + n % 6,
            headache_minutes=180,
            medication={"triptan"} if n % 6 == 1 else set(),
            stool_types=[1] if n % 6 == 3 else [4, 5],
            bloating=7 if n % 6 == 3 else 2,
            abdominal_pain=n % 4,
            note="",
        )
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, maya.email)
    desk.goto(f"/practitioner/clients/{client_user.id}/diary")
    expect(desk.locator(".table")).to_contain_text("Migraine · 7/10")
    expect(desk.get_by_text("After a bad gut day, a migraine followed within 48 hours")).to_be_visible()
    expect(desk.locator("svg.chart rect.migraine").first).to_be_visible()
    screenshot(desk, "client-diary-1280")


def test_a_questionnaire_on_a_phone_and_the_score_in_her_practitioners_chart(new_page, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, maya.email)
    desk.goto(f"/practitioner/clients/{client_user.id}/diary")
    desk.get_by_label("Questionnaire", exact=True).select_option("gad7")
    desk.get_by_role("button", name="Send to Clara").click()
    expect(desk.get_by_text("will see it on her home page")).to_be_visible()

    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.get_by_role("link", name="GAD-7").click()
    for step, answer in enumerate(
        [
            "Several days",
            "More than half the days",
            "Not at all",
            "Several days",
            "Nearly every day",
            "Not at all",
            "Several days",
        ],
        start=1,
    ):
        expect(page.get_by_text(f"question {step} of 7")).to_be_visible()
        if step == 3:
            assert_fits_phone(page)
            screenshot(page, "questionnaire-375")
        page.get_by_label(answer).check()
        page.get_by_role("button", name="Next" if step < 7 else "Check my answers").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    screenshot(page, "questionnaire-review-375")
    page.get_by_role("button", name="Send to my practitioner").click()
    expect(page.get_by_text("have been sent to your practitioner")).to_be_visible()

    desk.reload()
    expect(desk.get_by_role("heading", name="GAD-7: 8 · mild")).to_be_visible()
    expect(desk.locator("#questionnaires svg.chart circle.point")).to_have_count(1)
    screenshot(desk, "client-progress-1280")
