"""The practitioner writes her own questionnaire and publishes it; a client answers it on her phone; the sum
score is charted on the practitioner's page."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.models import Role
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def test_her_own_questionnaire_from_writing_to_the_clients_answers(new_page, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, maya.email)
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Questionnaires").click()
    desk.get_by_label("Title").fill("Weekly check-in")
    desk.get_by_label("Introduction for the client").fill("Think about the past seven days.")
    desk.get_by_text("Add up a score").click()
    desk.get_by_role("button", name="Create and add questions").click()
    expect(desk.get_by_text("Now add its questions")).to_be_visible()

    desk.get_by_label("Question", exact=True).fill("How often were you bloated after meals?")
    desk.get_by_label("Answer", exact=True).select_option("single")
    desk.get_by_label("Answers to choose from").fill("Never = 0\nSome days = 1\nMost days = 2")
    desk.get_by_role("button", name="Add the question").click()
    desk.get_by_label("Question", exact=True).fill("Which foods did you have?")
    desk.get_by_label("Answer", exact=True).select_option("multiple")
    desk.get_by_label("Answers to choose from").fill("Red wine = 2\nAged cheese = 2\nNone of these")
    desk.get_by_role("button", name="Add the question").click()
    desk.get_by_label("Question", exact=True).fill("Anything else?")
    desk.get_by_label("Answer", exact=True).select_option("long_text")
    desk.get_by_label("She must answer it").uncheck()
    desk.get_by_role("button", name="Add the question").click()
    expect(desk.locator(".question-list__item")).to_have_count(3)
    desk.get_by_role("button", name="Publish version 1").click()
    expect(desk.get_by_text("Version 1 published")).to_be_visible()
    screenshot(desk, "own-questionnaire-1280")

    desk.goto(f"/practitioner/clients/{client_user.id}/diary")
    desk.get_by_label("Questionnaire", exact=True).select_option(label="Weekly check-in (yours)")
    desk.get_by_role("button", name="Send to Clara").click()
    expect(desk.get_by_text("will see it on her home page")).to_be_visible()

    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.get_by_role("link", name="Weekly check-in").click()
    expect(page.get_by_text("question 1 of 3")).to_be_visible()
    page.get_by_label("Most days").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()  # nothing ticked
    expect(page.get_by_role("alert")).to_contain_text("Please tick at least one answer")
    page.get_by_label("Red wine").check()
    page.get_by_label("Aged cheese").check()
    assert_fits_phone(page)
    screenshot(page, "own-questionnaire-375")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Check my answers").click()  # the optional question left empty
    expect(page.get_by_text("Red wine; Aged cheese")).to_be_visible()
    expect(page.get_by_text("Left empty")).to_be_visible()
    page.get_by_role("button", name="Send to my practitioner").click()
    expect(page.get_by_text("have been sent to your practitioner")).to_be_visible()

    desk.reload()
    expect(desk.get_by_role("heading", name="Weekly check-in: 6")).to_be_visible()
    expect(desk.locator("#questionnaires svg.chart circle.point")).to_have_count(1)
