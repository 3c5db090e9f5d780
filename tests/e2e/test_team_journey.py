"""The owner invites an assistant by e-mail; the assistant joins, books a session for a client and cannot open
her case file. In Chromium, with the invitation sent through the real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect

from portal.models import Role
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, open_menu, screenshot

ASSISTANT_PASSWORD = "front-desk-morning-tea"


@pytest.fixture
def app(app_factory, smtp_server) -> Iterator[Flask]:
    """The served app sends its mail to the loopback SMTP server."""
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    with app.app_context():
        yield app


def _log_in(page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_the_owner_invites_an_assistant_who_books_for_a_client_and_cannot_open_her_case_file(
    new_page, practice, make_user, smtp_server
):
    xena = make_user(Role.CLIENT, email="xena@example.com", name="Xena Morgan")
    owner = new_page(DESKTOP)
    _log_in(owner, practice.practitioner.email)
    owner.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    owner.get_by_label("Her e-mail address").fill("rosa@example.com")
    owner.get_by_label("Role").select_option("assistant")
    owner.get_by_role("button", name="Send the invitation").click()
    expect(owner.get_by_text("Invitation sent to rosa@example.com")).to_be_visible()

    plain = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://portal\.test(/team/join/\S+)", plain).group(1)
    rosa = new_page(PHONE)
    rosa.goto(link)
    expect(rosa.get_by_text("You are invited as an assistant")).to_be_visible()
    rosa.get_by_label("Your name").fill("Rosa Field")
    rosa.get_by_label("Password", exact=True).fill(ASSISTANT_PASSWORD)
    rosa.get_by_role("button", name="Create my account").click()
    expect(rosa.get_by_text("Your account is ready")).to_be_visible()
    _log_in(rosa, "rosa@example.com", ASSISTANT_PASSWORD)
    expect(rosa).to_have_url(re.compile(r"/practitioner/$"))
    owner.reload()
    expect(owner.get_by_role("cell", name="Rosa Field rosa@example.com")).to_be_visible()
    screenshot(owner, "team-1280")

    open_menu(rosa)
    rosa.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    rosa.get_by_role("link", name="Book for Xena Morgan").click()
    rosa.get_by_role("link", name=re.compile("Choose a time for Follow-up")).click()
    rosa.locator("a.slot").first.click()
    rosa.get_by_role("button", name="Book it").click()
    expect(rosa.get_by_text("Booked for Xena Morgan")).to_be_visible()
    expect(rosa.get_by_role("link", name="Her case file")).to_have_count(0)
    assert_fits_phone(rosa)

    rosa.get_by_role("link", name="← Agenda").click()
    rosa.get_by_role("link", name="Week").click()
    expect(rosa.get_by_text("Xena Morgan").first).to_be_visible()
    assert_fits_phone(rosa)
    screenshot(rosa, "assistant-agenda-375")

    rosa.goto(f"/practitioner/clients/{xena.id}")
    expect(rosa.get_by_role("heading", name="Page not found")).to_be_visible()
    rosa.goto(f"/practitioner/clients/{xena.id}/diary")
    expect(rosa.get_by_role("heading", name="Page not found")).to_be_visible()
