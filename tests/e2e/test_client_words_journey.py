"""The client's pages in plain words on a phone: to-do items named for people, a time line she can read (a year
of it too), her device's time zone first; the practitioner's send form and intake set say why a licensed
questionnaire can't be sent yet."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from portal.db_types import utcnow
from portal.models import Role
from portal.questionnaires import diary_entries, responses
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def _a_year_of_diary(client, today: date) -> None:
    for n in range(0, 360, 2):  # every other day for a year: a migraine every tenth day, a headache every sixth
        diary_entries.save_entry(
            client,
            today - timedelta(days=n),
            today,
            headache="migraine" if n % 10 == 0 else "headache" if n % 6 == 0 else "none",
            intensity=7 if n % 10 == 0 else 4,
            headache_minutes=180,
            medication=set(),
            stool_types=[1] if n % 8 == 0 else [4],
            bloating=6 if n % 8 == 0 else 2,
            abdominal_pain=1,
            note="",
        )


def test_her_home_and_time_line_on_a_phone_and_a_laptop(new_page, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    today = utcnow().astimezone(ZoneInfo(client_user.timezone)).date()
    _a_year_of_diary(client_user, today)
    responses.assign(client_user, "phq9", None, today, maya)
    for device, width in ((PHONE, 375), (DESKTOP, 1280)):
        page = new_page(device)
        page.goto("/account/login")
        log_in(page, client_user.email)
        todo = page.locator("section", has=page.get_by_role("heading", name="To do"))
        expect(todo.get_by_role("link")).to_contain_text("Mood check")
        expect(todo.locator("small")).to_have_text("PHQ-9")
        expect(page.get_by_text("UK time – London")).to_be_visible()
        # The home page's diary panel is a phone's width even on a laptop: the narrow drawing in both.
        expect(page.locator("#diary svg.timeline--narrow")).to_be_visible()
        expect(page.locator("#diary svg.timeline--wide")).to_be_hidden()
        if width == 375:
            assert_fits_phone(page)
        shown = "narrow" if width == 375 else "wide"
        screenshot(page, f"words-client-home-{width}")
        for span, name in ((28, "30-days"), (365, "1-year")):
            page.goto(f"/me/diary/?span={span}#figures")
            chart = page.locator(f"#figures svg.timeline--{shown}")
            expect(chart).to_be_visible()
            expect(chart.locator("rect.head").first).to_be_visible()
            bar = chart.locator("rect.head").first.bounding_box()
            assert bar is not None and bar["width"] >= 1.5 and bar["height"] > 0  # drawn, a year too
            expect(chart.locator("text", has_text="Hard or loose stool")).to_have_count(1)  # the legend, drawn
            label = chart.locator("text", has_text="Head").first.bounding_box()
            assert label is not None and label["height"] >= 10  # readable: about 12 px, not 5
            if width == 375:
                assert_fits_phone(page)
            chart.scroll_into_view_if_needed()
            screenshot(page, f"words-timeline-{name}-{width}")


def test_her_send_form_and_intake_set_say_why_licensed_questionnaires_wait(new_page, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    for device, width in ((PHONE, 375), (DESKTOP, 1280)):
        page = new_page(device)
        page.goto("/account/login")
        log_in(page, maya.email)
        page.goto(f"/practitioner/clients/{client_user.id}/diary#questionnaires")
        choices = page.get_by_label("Questionnaire", exact=True).locator("option")
        expect(choices.filter(has_text="HIT-6")).to_have_count(0)
        expect(choices.filter(has_text="PHQ-9")).to_have_count(1)
        expect(page.locator("#licence-notice")).to_contain_text("Ask whoever runs the portal to load it.")
        if width == 375:
            assert_fits_phone(page)
        page.locator("#questionnaires").scroll_into_view_if_needed()
        screenshot(page, f"words-send-form-{width}")
        page.goto("/practitioner/questionnaires/#intake")
        expect(page.locator("#intake").get_by_label("MIDAS (migraine disability)")).to_have_count(0)
        expect(page.locator("#intake #licence-notice")).to_be_visible()
        if width == 375:
            assert_fits_phone(page)
        screenshot(page, f"words-intake-set-{width}")


def test_the_devices_time_zone_is_offered_first_and_chosen_at_sign_up(new_page):
    page = new_page(PHONE, timezone_id="Asia/Kolkata")  # Chromium reports it by its older name, Asia/Calcutta
    page.goto("/account/signup")
    select = page.get_by_label("Your time zone")
    expect(select).to_have_value("Asia/Kolkata")
    first = select.locator("option").first
    expect(first).to_have_text("India – Mumbai, Delhi, Kolkata")
    expect(select.locator('option[value="Asia/Kolkata"]')).to_have_count(1)  # moved first, not copied
    assert_fits_phone(page)
    screenshot(page, "words-signup-timezone-375")
