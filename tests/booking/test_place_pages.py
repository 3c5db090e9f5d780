"""Where a session happens, on the pages: the service form and the practice address, the public slot page and the
confirmation, the client's and the practitioner's booking pages with the join button, and who sees the link."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from portal.booking import lifecycle
from portal.booking.pages import iso
from portal.extensions import db
from portal.models import Booking, LocationKind, Role, Service
from tests.booking.places import ROOM, book_video_soon, video_practice
from tests.conftest import csrf_token_from, log_in, submit_form

JOIN = "Join the video session"


@pytest.fixture
def place(practice):
    return video_practice(practice)


def join_button(html: str) -> str | None:
    """The join button's <a> tag, if the page has one."""
    match = re.search(r"<a [^>]*button--join[^>]*>", html)
    return match.group(0) if match else None


# The service form and the practice address -----------------------------------------------------------------------


def test_she_makes_a_service_by_video_with_her_room_link(client, practice):
    log_in(client, practice.practitioner.email)
    response = submit_form(
        client,
        "/practitioner/services/new",
        {
            "name": "Video follow-up",
            "duration_minutes": "45",
            "price": "85",
            "active": "y",
            "location_kind": "video",
            "video_url": ROOM,
        },
    )
    assert response.status_code == 302
    service = db.session.execute(db.select(Service).filter_by(name="Video follow-up")).scalar_one()
    assert (service.location_kind, service.video_url) == (LocationKind.VIDEO, ROOM)
    assert f'value="{ROOM}"' in client.get(f"/practitioner/services/{service.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("", "Enter the link of your video room."),
        ("http://meet.jit.si/room", "Use a secure link: it starts with https://."),
        ("https://meet.jit.si/" + "x" * 500, "Use at most 500 characters."),
        ("https://meet.jit.si/a\x00b", "This must be one line, without control characters."),
    ],
)
def test_a_video_service_without_a_usable_link_is_explained_beside_the_field_and_kept(client, practice, link, message):
    log_in(client, practice.practitioner.email)
    response = submit_form(
        client,
        "/practitioner/services/new",
        {
            "name": "Video follow-up",
            "duration_minutes": "45",
            "price": "85",
            "location_kind": "video",
            "video_url": link,
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="field__error" id="video_url-error"[^>]*>\s*(.*?)\s*</p>', body, re.S)
    assert error and message in error.group(1)
    assert 'value="Video follow-up"' in body  # nothing she typed is lost
    assert re.search(r'<input checked [^>]*value="video"', body)
    assert db.session.scalar(db.select(db.func.count()).select_from(Service).filter_by(name="Video follow-up")) == 0


def test_an_unknown_location_kind_is_refused_beside_its_field(client, practice):
    log_in(client, practice.practitioner.email)
    response = submit_form(
        client,
        "/practitioner/services/new",
        {"name": "Odd", "duration_minutes": "45", "price": "85", "location_kind": "moon"},
    )
    assert response.status_code == 422 and 'id="location_kind-error"' in response.get_data(as_text=True)


def test_she_sets_her_practice_address_in_settings(client, practice):
    log_in(client, practice.practitioner.email)
    response = submit_form(
        client,
        "/practitioner/settings/address",
        {"address-address": "  14 Orchard Lane\r\n\r\nBristol BS8 1QA  "},
        form_url="/practitioner/settings/",
    )
    assert response.status_code == 302
    db.session.refresh(practice.rules)
    assert practice.rules.address == "14 Orchard Lane\nBristol BS8 1QA"
    assert "14 Orchard Lane" in client.get("/practitioner/settings/").get_data(as_text=True)


def test_an_address_too_long_is_refused_beside_the_field_and_kept(client, practice):
    log_in(client, practice.practitioner.email)
    response = submit_form(
        client, "/practitioner/settings/address", {"address-address": "Lane " * 100}, form_url="/practitioner/settings/"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Use at most 300 characters." in body and "Lane Lane Lane" in body
    db.session.refresh(practice.rules)
    assert practice.rules.address == ""


# Public pages: where, but never the link ---------------------------------------------------------------------------


def test_the_slot_page_says_by_video_and_never_shows_the_link(client, place):
    body = client.get(f"/book/{place.video.id}/").get_data(as_text=True)
    assert "By video" in body and ROOM not in body and "meet.jit.si" not in body


def test_the_slot_page_gives_the_address_of_an_in_person_service_and_says_she_is_phoned(client, place):
    assert "In person, at The Garden Rooms, 14 Orchard Lane, Bristol BS8 1QA" in client.get(
        f"/book/{place.in_person.id}/"
    ).get_data(as_text=True)
    assert "By phone: Maya Practitioner phones you" in client.get(f"/book/{place.phone.id}/").get_data(as_text=True)


def test_the_confirmation_page_says_where_the_link_will_be_without_showing_it(client, place, client_user):
    log_in(client, client_user.email)
    start = place.practice.free(place.video)[0]
    body = client.get(f"/book/{place.video.id}/confirm?start={quote(iso(start))}").get_data(as_text=True)
    assert "By video" in body and "on your booking page and in your confirmation e-mail" in body
    assert ROOM not in body


# The booking pages and the join button -------------------------------------------------------------------------------


def test_her_booking_page_shows_the_join_button_inside_the_window(client, place, client_user):
    booking = book_video_soon(place, client_user)
    log_in(client, client_user.email)
    body = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    button = join_button(body)
    assert button is not None and JOIN in body
    assert f'href="{ROOM}"' in button and 'target="_blank"' in button and 'rel="noopener noreferrer"' in button


def test_before_the_window_her_page_says_when_the_button_will_appear(client, place, client_user, make_booking):
    booking = make_booking(client_user, place.video, in_days=3)
    log_in(client, client_user.email)
    body = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    assert join_button(body) is None and ROOM not in body
    opens = (booking.starts_at - timedelta(minutes=15)).astimezone(ZoneInfo(client_user.timezone))
    assert f"appears here from {opens:%H:%M}" in body and "15 minutes before the start" in body


def test_a_cancelled_video_session_has_no_button(client, place, client_user):
    booking = book_video_soon(place, client_user)
    lifecycle.cancel(booking, place.practice.practitioner)  # the practice may cancel even this close to it
    log_in(client, client_user.email)
    body = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    assert join_button(body) is None and "appears here" not in body


def test_an_in_person_session_page_gives_the_address_and_no_button(client, place, client_user, make_booking):
    booking = make_booking(client_user, place.in_person)
    log_in(client, client_user.email)
    body = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    assert "In person, at The Garden Rooms, 14 Orchard Lane, Bristol BS8 1QA" in body and join_button(body) is None


def test_the_practitioner_sees_the_link_and_the_join_button_on_her_session_page(client, place, client_user):
    booking = book_video_soon(place, client_user)
    log_in(client, place.practice.practitioner.email)
    body = client.get(f"/practitioner/bookings/{booking.id}").get_data(as_text=True)
    assert ROOM in body and join_button(body) is not None and 'rel="noopener noreferrer"' in join_button(body)


def test_the_front_desk_sees_the_link_too(client, place, client_user, make_user):
    booking = book_video_soon(place, client_user)
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    log_in(client, desk.email)
    assert join_button(client.get(f"/practitioner/bookings/{booking.id}").get_data(as_text=True)) is not None


@pytest.mark.parametrize("who", ["another client", "another practitioner"])
def test_nobody_else_can_open_either_booking_page(client, place, client_user, make_user, who):
    booking = book_video_soon(place, client_user)
    other = make_user(Role.CLIENT if who == "another client" else Role.PRACTITIONER)
    log_in(client, other.email)
    for url in (f"/me/bookings/{booking.id}", f"/practitioner/bookings/{booking.id}"):
        response = client.get(url)
        assert response.status_code == 404 and ROOM not in response.get_data(as_text=True)


# The practitioner's own link for one session -----------------------------------------------------------------------


def _post_link(client, booking: Booking, link: str):
    page = client.get(f"/practitioner/bookings/{booking.id}").get_data(as_text=True)
    return client.post(
        f"/practitioner/bookings/{booking.id}/video-link",
        data={"video-csrf_token": csrf_token_from(page), "video-video_url": link},
    )


def test_she_gives_one_session_its_own_link_and_the_client_joins_there(app, client, place, client_user):
    booking = book_video_soon(place, client_user)
    log_in(client, place.practice.practitioner.email)
    assert _post_link(client, booking, "https://whereby.com/maya-clara").status_code == 302
    theirs = app.test_client()
    log_in(theirs, client_user.email)
    button = join_button(theirs.get(f"/me/bookings/{booking.id}").get_data(as_text=True))
    assert button is not None and 'href="https://whereby.com/maya-clara"' in button


@pytest.mark.parametrize("link", ["http://whereby.com/maya", "javascript:alert(1)", "https://x\x00y.com", "\ufffd"])
def test_a_bad_session_link_is_refused_beside_the_field_and_kept(client, place, client_user, link):
    booking = book_video_soon(place, client_user)
    log_in(client, place.practice.practitioner.email)
    response = _post_link(client, booking, link)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="video-video_url-error"' in body
    if "\x00" not in link:
        assert 'value="' + link.replace("&", "&amp;") + '"' in body
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).video_url is None


def test_the_service_lists_say_how_each_service_happens(client, place):
    public = client.get("/book/").get_data(as_text=True)
    for name, label in (
        ("Follow-up", "By video"),
        ("Discovery call", "By phone"),
        ("Initial consultation", "In person"),
    ):
        card = public[public.index(f"<h2>{name}</h2>") :].split("</li>")[0]
        assert f"<span>{label}</span>" in card
    assert ROOM not in public
    log_in(client, place.practice.practitioner.email)
    assert "<span>By video</span>" in client.get("/practitioner/services/").get_data(as_text=True)
