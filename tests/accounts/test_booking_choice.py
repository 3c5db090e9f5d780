"""The log-in and sign-up pages show the session a visitor chose on the way (read from `next`), and the
sign-up page carries the practice's privacy notice."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from portal.booking.pages import choice_in_next, iso
from portal.consent import documents
from portal.db_types import utcnow


def _next_for(service_id, start) -> str:
    return f"/book/{service_id}/confirm?start={quote(iso(start))}"


def _summary(start) -> str:
    local = start.astimezone(ZoneInfo("Europe/London"))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


@pytest.mark.parametrize("page", ["/account/login", "/account/signup"])
def test_the_page_shows_the_session_and_time_she_chose(client, practice, page):
    start = practice.free(practice.follow_up)[0]
    body = client.get(f"{page}?next={quote(_next_for(practice.follow_up.id, start))}").get_data(as_text=True)
    assert "You are booking: <strong>Follow-up</strong>" in body
    assert _summary(start) in body and "(UK time – London)" in body


@pytest.mark.parametrize(
    "target",
    [
        "/book/{id}/confirm?start=not-a-time",
        "/book/{id}/confirm?start=2030-13-40T10:00Z",
        "/book/{id}/confirm?start={start}&start={start}",
        "/book/{id}/confirm",
        "/book/999999/confirm?start={start}",
        "/book/{id}/confirm/x?start={start}",
        "/me/bookings?start={start}",
        "https://evil.example/book/{id}/confirm?start={start}",
        "//evil.example/book/{id}/confirm?start={start}",
        "/book/{id}/confirm?start=2020-01-01T10:00Z",
        "/book/" + "9" * 40 + "/confirm?start={start}",
    ],
)
@pytest.mark.parametrize("page", ["/account/login", "/account/signup"])
def test_a_tampered_or_other_site_next_shows_nothing_and_never_fails(client, practice, page, target):
    start = iso(practice.free(practice.follow_up)[0])
    target = target.format(id=practice.follow_up.id, start=quote(start))
    response = client.get(f"{page}?next={quote(target)}")
    assert response.status_code == 200
    assert "You are booking" not in response.get_data(as_text=True)


def test_an_inactive_service_shows_nothing(client, practice):
    start = practice.free(practice.follow_up)[0]
    practice.follow_up.active = False
    assert choice_in_next(_next_for(practice.follow_up.id, start)) is None
    assert choice_in_next(None) is None
    practice.follow_up.active = True
    assert choice_in_next(_next_for(practice.follow_up.id, start)) == (practice.follow_up, start)
    assert choice_in_next(_next_for(practice.follow_up.id, utcnow() - timedelta(hours=1))) is None


def test_without_a_published_privacy_notice_the_signup_page_says_plainly_how_her_information_is_kept(client, app):
    body = client.get("/account/signup").get_data(as_text=True)
    assert "Your information is used only to give you your care" in body and "<details" not in body


def test_the_practices_published_privacy_notice_is_on_the_signup_page(client, practice):
    unpublished = documents.create_document("privacy", "", practice.practitioner)
    documents.save_draft(unpublished, "Privacy notice", "A draft nobody sees yet.")
    assert "A draft nobody sees yet" not in client.get("/account/signup").get_data(as_text=True)
    terms = documents.create_document("terms", "", practice.practitioner)
    documents.save_draft(terms, "Terms", "Cancel a day ahead.")
    documents.publish(terms, practice.practitioner, documents.draft_fingerprint(terms))
    privacy = documents.create_document("privacy", "", practice.practitioner)
    documents.save_draft(privacy, "How we keep your data", "We keep your notes for 8 years.\n\nYou may ask for a copy.")
    documents.publish(privacy, practice.practitioner, documents.draft_fingerprint(privacy))
    body = client.get("/account/signup").get_data(as_text=True)
    assert "How we keep your data" in body and "We keep your notes for 8 years." in body
    assert "Cancel a day ahead" not in body and "Your information is used only" not in body
