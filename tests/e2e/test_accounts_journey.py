"""Sign up, log out, log in, and each role's home, as a person does it in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.models import Role
from tests.conftest import TEST_PASSWORD, mailed_path, outbox_messages
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot


def test_a_client_signs_up_on_her_phone_confirms_by_email_logs_out_and_in_again(app, new_page):
    page = new_page(PHONE, timezone_id="America/New_York")
    page.goto("/account/signup")
    expect(page.get_by_label("Your time zone")).to_have_value("America/New_York")  # preselected from the phone
    assert_fits_phone(page)
    screenshot(page, "signup-375")
    page.get_by_label("Your name").fill("Amelia Hart")
    page.get_by_label("E-mail address").fill("amelia@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "signup-check-email-375")
    (message,) = outbox_messages(app)  # she opens the link in the e-mail
    page.goto(mailed_path(message, "/account/confirm/"))
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "signup-confirm-375")
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_text("your e-mail address is confirmed")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, Amelia")).to_be_visible()
    expect(page.get_by_text("Eastern US – New York")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My home")).to_be_visible()
    expect(nav.get_by_role("link", name="Agenda")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "client-home-375")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/account/login")
    assert_fits_phone(page)
    screenshot(page, "login-375")
    page.get_by_label("E-mail address").fill("amelia@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Amelia")).to_be_visible()

    page.goto("/practitioner/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_the_practitioner_logs_in_on_a_desktop(new_page, make_user):
    make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Lennox")
    page = new_page(DESKTOP)
    page.goto("/account/signup")
    screenshot(page, "signup-1280")
    page.goto("/account/login")
    screenshot(page, "login-1280")
    page.get_by_label("E-mail address").fill("maya@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/practitioner/$"))
    expect(page.get_by_role("heading", name="Good to see you, Maya Lennox")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for link in ("Dashboard", "Agenda", "Services", "Settings"):
        expect(nav.get_by_role("link", name=link)).to_be_visible()
    expect(nav.get_by_role("link", name="Book a session")).to_have_count(0)
    screenshot(page, "practitioner-home-1280")


def test_home_pages_on_the_other_screen_sizes(new_page, make_user):
    make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Lennox")
    make_user(email="sophie@example.com", name="Sophie Turner")
    for email, device, name in (
        ("maya@example.com", PHONE, "practitioner-home-375"),
        ("sophie@example.com", DESKTOP, "client-home-1280"),
    ):
        page = new_page(device)
        page.goto("/account/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if device is PHONE:
            assert_fits_phone(page)
        screenshot(page, name)
