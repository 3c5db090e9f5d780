"""Where a session happens and when its video session may be joined: the domain (portal/booking/place.py), the
settings that set it and the booking's own video link (lifecycle.set_video_link)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.booking import bookings, lifecycle
from portal.booking.bookings import BookingError
from portal.booking.place import Place, booking_place, can_join, join_opens_at, service_place, video_link_problem
from portal.extensions import db
from portal.models import Booking, BookingEvent, BookingStatus, LocationKind
from portal.practice import settings
from tests.booking.places import ADDRESS, ROOM, video_practice

START = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def session(status: BookingStatus = BookingStatus.CONFIRMED) -> Booking:
    return Booking(starts_at=START, ends_at=START + timedelta(minutes=45), status=status.value)


# can_join: from 15 minutes before the start until the end ---------------------------------------------------------


def test_the_join_window_opens_exactly_15_minutes_before_the_start():
    assert join_opens_at(session()) == START - timedelta(minutes=15)
    assert can_join(session(), START - timedelta(minutes=15))


def test_one_second_before_the_window_she_can_not_join_yet():
    assert not can_join(session(), START - timedelta(minutes=15, seconds=1))


def test_she_can_join_during_the_session_until_its_last_second():
    assert can_join(session(), START)
    assert can_join(session(), START + timedelta(minutes=45) - timedelta(seconds=1))


def test_at_the_end_the_window_closes():
    assert not can_join(session(), START + timedelta(minutes=45))


def test_after_the_end_she_can_not_join():
    assert not can_join(session(), START + timedelta(hours=2))


@pytest.mark.parametrize(
    "status", [BookingStatus.CANCELLED, BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED, BookingStatus.NO_SHOW]
)
def test_a_session_that_is_not_confirmed_can_never_be_joined(status):
    for moment in (START - timedelta(minutes=15), START, START + timedelta(minutes=44)):
        assert not can_join(session(status), moment)


# Video links --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://meet.jit.si/MayaLennox-FollowUp",
        "https://us02web.zoom.us/j/81234567890?pwd=abcDEF123",
        "https://meet.google.com/abc-defg-hij",
        "https://whereby.com/maya-lennox",
        "https://video.example-practice.co.uk:8443/room/1",
    ],
)
def test_her_own_zoom_meet_jitsi_or_whereby_link_is_accepted(url):
    assert video_link_problem(url) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the link of your video room."),
        ("http://meet.jit.si/room", "starts with https://"),
        ("javascript:alert(1)", "starts with https://"),
        ("meet.jit.si/room", "starts with https://"),
        ("https://" + "a" * 500 + ".com", "at most 500 characters"),
        ("https://meet.jit.si/room two", "without spaces"),
        ("https://meet.jit.si/room\r\nBcc: x@example.com", "without spaces"),
        ("https://meet.jit.si/\x00", "without spaces"),
        ("https://méet.example/room", "without spaces"),
        ("https://maya:secret@meet.jit.si/room", "without a user name or password"),
        ("https://localhost/room", "not a link we can use"),
        ("https://127.0.0.1/room", "not a link we can use"),
        ("https:///room", "not a link we can use"),
        ("https://meet.jit.si:99999/room", "not a link we can use"),
        ("https://meet.jit.si:port/room", "not a link we can use"),
        ("https://[::1]/room", "not a link we can use"),
    ],
)
def test_a_link_that_is_not_a_secure_room_link_is_refused_with_a_reason(url, message):
    problem = video_link_problem(url)
    assert problem is not None and message in problem


# Where a service's and a booking's sessions happen -------------------------------------------------------------------


def test_each_kind_says_where_it_happens_in_the_calendar():
    assert Place(LocationKind.VIDEO, video_url=ROOM).calendar_location == ROOM
    assert Place(LocationKind.PHONE).calendar_location == "Phone call"
    assert Place(LocationKind.IN_PERSON, address=ADDRESS).calendar_location == (
        "The Garden Rooms, 14 Orchard Lane, Bristol BS8 1QA"
    )


def test_a_new_service_happens_in_person_at_the_practice_address_unless_it_has_its_own(practice):
    place = video_practice(practice)
    assert place.in_person.location_kind == LocationKind.IN_PERSON
    assert service_place(place.in_person, practice.rules) == Place(LocationKind.IN_PERSON, address=ADDRESS)
    settings.save_service(
        place.in_person,
        practice.practitioner,
        name="Initial consultation",
        description="",
        duration_minutes=60,
        price_minor=15000,
        currency="GBP",
        active=True,
        address="  Clinic 2\n\n  High Street  ",
    )
    assert service_place(place.in_person, practice.rules).address == "Clinic 2\nHigh Street"


def test_a_booking_uses_its_own_video_link_else_its_services(practice, make_booking, client_user):
    place = video_practice(practice)
    booking = bookings.booking_with_history(make_booking(client_user, place.video).id)  # with its service
    assert booking is not None
    assert booking_place(booking, practice.rules) == Place(LocationKind.VIDEO, video_url=ROOM)
    lifecycle.set_video_link(booking, "https://whereby.com/maya-clara", practice.practitioner)
    booking = bookings.booking_with_history(booking.id)
    assert booking is not None
    assert booking_place(booking, practice.rules).video_url == "https://whereby.com/maya-clara"


def test_a_video_service_without_a_room_link_is_refused(practice):
    with pytest.raises(settings.SettingsError, match="Enter the link"):
        settings.save_service(
            practice.follow_up,
            practice.practitioner,
            name="Follow-up",
            description="",
            duration_minutes=45,
            price_minor=8500,
            currency="GBP",
            active=True,
            location_kind=LocationKind.VIDEO,
        )
    db.session.refresh(practice.follow_up)
    assert practice.follow_up.location_kind == LocationKind.IN_PERSON


def test_the_database_refuses_a_location_kind_it_does_not_know(practice):
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE services SET location_kind = 'on the moon'"))
        db.session.flush()
    db.session.rollback()


# The booking's own link: one domain function, recorded in its history ------------------------------------------------


def test_setting_and_clearing_a_sessions_own_link_is_recorded_and_updates_its_calendar_entry(
    practice, make_booking, client_user
):
    place = video_practice(practice)
    booking = make_booking(client_user, place.video)
    sequence = booking.sequence
    lifecycle.set_video_link(booking, "https://whereby.com/maya-clara", practice.practitioner)
    lifecycle.set_video_link(booking, "", practice.practitioner)
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking.video_url is None and booking.sequence == sequence + 2
    events = db.session.execute(
        db.select(BookingEvent.action, BookingEvent.actor_id).filter_by(booking_id=booking.id).order_by(BookingEvent.id)
    ).all()
    assert events[-2:] == [
        ("video_link_set", practice.practitioner.id),
        ("video_link_cleared", practice.practitioner.id),
    ]


def test_the_same_link_again_changes_nothing(practice, make_booking, client_user):
    booking = make_booking(client_user, video_practice(practice).video)
    lifecycle.set_video_link(booking, "https://whereby.com/maya-clara", practice.practitioner)
    sequence = booking.sequence
    lifecycle.set_video_link(booking, "https://whereby.com/maya-clara", practice.practitioner)
    assert booking.sequence == sequence


@pytest.mark.parametrize(
    ("kind", "status", "url", "message"),
    [
        ("video", "confirmed", "http://whereby.com/room", "https://"),
        ("in_person", "confirmed", "https://whereby.com/room", "not by video"),
        ("video", "cancelled", "https://whereby.com/room", "no longer active"),
    ],
)
def test_a_sessions_own_link_is_refused_when_it_can_not_be_used(
    practice, make_booking, client_user, kind, status, url, message
):
    place = video_practice(practice)
    booking = make_booking(client_user, place.video if kind == "video" else place.in_person, status=status)
    with pytest.raises(BookingError, match=message):
        lifecycle.set_video_link(booking, url, practice.practitioner)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).video_url is None
