"""How clients reach the practice: the owner's contact settings, checked beside each field, and where they show
(the footer, the booking pages, every "contact the practice", and e-mails from the practice's name)."""

from __future__ import annotations

import re

import pytest

from portal.booking import bookings, lifecycle
from portal.booking.bookings import BookingError
from portal.extensions import db
from portal.models import PracticeContact, Role
from portal.mail import send_mail
from portal.practice import details, settings
from tests.conftest import csrf_token_from, log_in

CONTACT = {"phone": "+44 20 7946 0123", "email": "Hello@Practice.example", "registration": "BANT no. 12345"}


@pytest.fixture
def app(app_factory, smtp_server):
    """Every app in this module sends its mail to the loopback SMTP server."""
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    with app.app_context():
        yield app


@pytest.fixture
def owner(make_user):
    user = make_user(Role.OWNER, email="owner@example.com", name="Olive Owner")
    settings.save_practice_address(bookings.rules_for(user.id), "1 Calm Street\nLondon N1 1AA")
    return user


def post_contact(client, **fields):
    token = csrf_token_from(client.get("/practitioner/settings/").get_data(as_text=True))
    return client.post(
        "/practitioner/settings/contact",
        data={"contact-csrf_token": token, **{f"contact-{k}": v for k, v in fields.items()}},
    )


def test_the_owner_saves_the_contact_details_and_they_show_at_the_foot_of_every_page(client, owner):
    log_in(client, owner.email)
    assert post_contact(client, **CONTACT).status_code == 302
    row = db.session.get(PracticeContact, 1)
    assert (row.phone, row.email, row.registration) == ("+44 20 7946 0123", "hello@practice.example", "BANT no. 12345")
    client.post("/account/logout", data={"csrf_token": csrf_token_from(client.get("/account/").get_data(as_text=True))})
    footer = client.get("/book/").get_data(as_text=True).split('<footer class="site-footer">')[1]
    assert "1 Calm Street, London N1 1AA" in footer and 'href="tel:+442079460123"' in footer
    assert "hello@practice.example" in footer and "BANT no. 12345" in footer


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "call me", "Enter a phone number"),
        ("phone", "1" * 41, "at most 40 characters"),
        ("email", "not-an-address", "Enter an e-mail address"),
        ("email", "a@" + "b" * 250 + ".com", "at most 254 characters"),
        ("registration", "x" * 301, "at most 300 characters"),
    ],
)
def test_a_wrong_value_is_refused_beside_its_field_and_kept(client, owner, field, value, message):
    log_in(client, owner.email)
    response = post_contact(client, **{**CONTACT, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    error = re.search(rf'id="contact-{field}-error"[^>]*>(.*?)</p>', page, re.S)
    assert error and message in error.group(1)
    assert db.session.get(PracticeContact, 1) is None  # nothing saved
    assert value in page  # what was typed is kept


def test_the_domain_refuses_what_the_form_would(app, owner):
    assert details.contact_problems("12", "", "") == {
        "phone": "Enter a phone number: digits, spaces, brackets, dashes and a leading +."
    }
    with pytest.raises(details.ContactError) as refused:
        details.save_contact("", "two@@example.com", "", owner)
    assert refused.value.field == "email"
    assert details.contact_problems("+44 (0)20 7946-0123", "a@b.example", "") == {}


def test_only_the_owner_sees_and_saves_the_contact_settings(client, owner, make_user):
    jonah = make_user(Role.PRACTITIONER, email="jonah@example.com")
    log_in(client, jonah.email)
    assert "How clients reach the practice" not in client.get("/practitioner/settings/").get_data(as_text=True)
    assert post_contact(client, **CONTACT).status_code == 404
    assert db.session.get(PracticeContact, 1) is None


def test_every_contact_the_practice_says_how(client, owner, practice, make_booking, make_user):
    details.save_contact("020 7946 0123", "hello@practice.example", "", owner)
    practice.follow_up.active = practice.discovery.active = False
    db.session.commit()
    page = client.get("/book/").get_data(as_text=True)  # nothing to book online
    assert "Please contact the practice: phone" in page and 'href="mailto:hello@practice.example"' in page
    practice.follow_up.active = True
    practice.rules.cancellation_window_hours = 336  # a session a week away is too close to change online
    db.session.commit()
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = make_booking(clara)
    log_in(client, clara.email)
    page = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    assert 'please contact the practice: phone <a href="tel:02079460123">020 7946 0123</a> or e-mail' in page
    with pytest.raises(BookingError, match="Please contact the practice: phone 020 7946 0123 or e-mail hello@"):
        lifecycle.cancel(booking, clara)


def test_e_mails_come_from_the_practice_name_with_replies_to_the_practice(app, client, owner, smtp_server):
    details.save_contact("020 7946 0123", "hello@practice.example", "BANT no. 12345", owner)
    send_mail("clara@example.com", "Hello", "password_reset", link="http://portal.test/x", name="Clara")
    db.session.commit()
    (message,) = smtp_server.messages
    (sender,) = message["From"].addresses
    assert sender.display_name == app.config["PRACTICE_NAME"]
    assert sender.addr_spec == "no-reply@localhost"  # the configured sender's address
    assert message["Reply-To"] == "hello@practice.example"
    html = message.get_body(("html",)).get_content()
    assert "1 Calm Street, London N1 1AA" in html and "020 7946 0123" in html and "BANT no. 12345" in html
