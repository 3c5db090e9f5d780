"""A client writes on her phone with a photo attached, her practitioner answers from the case file, and the
answer appears on the client's open page without a reload; screenshots of the thread and the inbox at phone and
desktop widths."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from portal.extensions import db
from portal.messages import conversations
from portal.models import Role
from portal.practice.team import join_care_team
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


@pytest.fixture
def people(app, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Lennox")
    sophie = make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")
    for n, name in enumerate(["Priya Raman", "Grace Okafor"]):
        other = make_user(Role.CLIENT, email=f"other{n}@example.com", name=name)
        join_care_team(maya.id, other.id)
        conversations.send_message(other, other, "Thank you for the handout!", [])
    join_care_team(maya.id, sophie.id)
    conversations.add_saved_reply(maya, "With food", "Take it with your evening meal, and tell me how it goes.")
    db.session.commit()
    app.config["MESSAGE_POLL_SECONDS"] = 2  # the journey need not wait 15 s for the page to look again
    return maya, sophie


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "IMG_2041.jpg"
    image = Image.new("RGB", (640, 480), (214, 180, 150))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def test_a_client_writes_with_a_photo_and_sees_the_answer_without_reloading(new_page, people, photo):
    maya, sophie = people
    phone = new_page(PHONE)
    phone.goto("/account/login?next=/me/")
    log_in(phone, sophie.email)
    phone.get_by_role("link", name="Messages").first.click()
    expect(phone.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    expect(phone.get_by_text("not for emergencies")).to_be_visible()
    phone.get_by_role("button", name="Send message").click()  # nothing written yet
    expect(phone.locator(".field__error").first).to_contain_text("Write a message or attach a file.")
    assert_fits_phone(phone)
    screenshot(phone, "messages-error-phone")
    phone.get_by_label("Your message").fill("The magnesium upsets my stomach. This is what my tongue looks like today.")
    phone.get_by_label("Attach photos or PDFs (optional)").set_input_files(str(photo))
    phone.get_by_role("button", name="Send message").click()
    expect(phone.get_by_text("Your message is sent.")).to_be_visible()
    expect(phone.locator(".msg--mine").first).to_contain_text("IMG_2041.jpg")
    expect(phone.locator(".msg--mine .msg__status").first).to_have_text("Sent")
    assert_fits_phone(phone)
    screenshot(phone, "messages-thread-client-phone")

    desk = new_page(DESKTOP)
    desk.goto("/account/login?next=/practitioner/")
    log_in(desk, maya.email)
    expect(desk.locator(".nav__count")).to_have_text("3")
    desk.get_by_role("link", name="Messages").first.click()
    expect(desk.locator(".inbox__item").first).to_contain_text("Sophie Turner")  # the newest unread first
    screenshot(desk, "messages-inbox-desktop")
    desk.goto(f"/practitioner/clients/{sophie.id}")
    desk.locator(".related").get_by_role("link", name="Messages").click()
    expect(desk.get_by_text("The magnesium upsets my stomach.")).to_be_visible()
    desk.get_by_label("Your message").fill("Thank you, Sophie.")
    desk.get_by_label("Insert a saved reply").select_option(label="With food")
    desk.get_by_role("button", name="Insert").click()  # the script puts it in at the cursor
    expect(desk.get_by_label("Your message")).to_have_value(
        "Thank you, Sophie.\n\nTake it with your evening meal, and tell me how it goes."
    )
    desk.get_by_role("button", name="Send message").click()
    expect(desk.get_by_text("Your message is sent.")).to_be_visible()
    screenshot(desk, "messages-thread-practitioner-desktop")

    # Sophie's page, open all along, shows the answer and her own message as read, without a reload.
    expect(phone.locator(".msg--theirs").first).to_contain_text("Take it with your evening meal", timeout=15_000)
    expect(phone.locator(".msg--mine .msg__status").first).to_have_text("Read")
    assert_fits_phone(phone)
    screenshot(phone, "messages-thread-client-phone-answered")

    phone_desk = new_page(PHONE)
    phone_desk.goto("/account/login?next=/practitioner/messages")
    log_in(phone_desk, maya.email)
    expect(phone_desk.locator(".inbox__item")).to_have_count(3)
    assert_fits_phone(phone_desk)
    screenshot(phone_desk, "messages-inbox-phone")
    phone_desk.locator(".inbox__item").filter(has_text="Sophie Turner").click()
    expect(phone_desk.get_by_label("Insert a saved reply")).to_be_visible()
    assert_fits_phone(phone_desk)
    screenshot(phone_desk, "messages-thread-practitioner-phone")
    wide = new_page(DESKTOP)
    wide.goto("/account/login?next=/me/messages/")
    log_in(wide, sophie.email)
    expect(wide.locator(".msg")).to_have_count(2)
    screenshot(wide, "messages-thread-client-desktop")
    assert (SCREENSHOTS / "messages-thread-client-phone.png").exists()
