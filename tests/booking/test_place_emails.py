"""Where a session happens, in what leaves the portal: the e-mails (through the outbox) and their .ics files, and the
practitioner's calendar feed, parsed back with icalendar."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from portal.booking import feeds, lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import BookingEvent, LocationKind
from portal.practice import settings
from tests.booking.places import ROOM, video_practice
from tests.conftest import outbox_messages

ADDRESS_LINE = "The Garden Rooms, 14 Orchard Lane, Bristol BS8 1QA"


@pytest.fixture
def place(practice):
    return video_practice(practice)


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def html(message) -> str:
    return message.get_body(("html",)).get_content()


def event_of(message) -> icalendar.Event:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]


def actions_of(booking) -> list[str]:
    return list(db.session.execute(db.select(BookingEvent.action).filter_by(booking_id=booking.id)).scalars())


def mails(app, to: str, subject_start: str) -> list:
    return [m for m in outbox_messages(app) if m["To"] == to and m["Subject"].startswith(subject_start)]


def book(place, service, client_user):
    start = [s for s in place.practice.free(service) if s > utcnow() + timedelta(days=2)][0]
    return lifecycle.book(client_user, service, start, needs_payment=False)


def test_a_video_sessions_confirmations_carry_the_room_in_text_html_and_calendar(app, place, client_user):
    book(place, place.video, client_user)
    (to_client,) = mails(app, client_user.email, "Your session is booked")
    (to_her,) = mails(app, place.practice.practitioner.email, "New booking")
    for message in (to_client, to_her):
        assert f"Join the video session: {ROOM}" in plain(message)
        assert f'href="{ROOM}"' in html(message)
        event = event_of(message)
        assert str(event["LOCATION"]) == ROOM and str(event["URL"]) == ROOM
        assert f"Join the video session: {ROOM}" in str(event["DESCRIPTION"])
        assert "Manage this booking: http://portal.test/" in str(event["DESCRIPTION"])


def test_a_phone_session_says_who_phones_whom_and_its_calendar_says_phone_call(app, place, client_user):
    book(place, place.phone, client_user)
    (to_client,) = mails(app, client_user.email, "Your session is booked")
    (to_her,) = mails(app, place.practice.practitioner.email, "New booking")
    assert "By phone: Maya Practitioner phones you." in plain(to_client)
    assert "By phone: you phone Clara Client." in plain(to_her)
    event = event_of(to_client)
    assert str(event["LOCATION"]) == "Phone call" and str(event["URL"]).startswith("http://portal.test/me/bookings/")


def test_an_in_person_session_carries_the_practice_address(app, place, client_user):
    book(place, place.in_person, client_user)
    (to_client,) = mails(app, client_user.email, "Your session is booked")
    assert f"In person: {ADDRESS_LINE}" in plain(to_client) and ADDRESS_LINE in html(to_client)
    assert str(event_of(to_client)["LOCATION"]) == ADDRESS_LINE


def test_the_moved_and_reminder_e_mails_carry_the_room_too(app, place, client_user):
    booking = book(place, place.video, client_user)
    new_start = [s for s in place.practice.free(place.video) if s > booking.starts_at + timedelta(days=1)][0]
    lifecycle.move(booking, new_start, place.practice.practitioner)
    lifecycle.remind(booking)
    db.session.commit()
    (moved,) = mails(app, client_user.email, "Your session has moved")
    (reminder,) = mails(app, client_user.email, "Reminder")
    assert f"Join the video session: {ROOM}" in plain(moved) and str(event_of(moved)["LOCATION"]) == ROOM
    assert f"Join the video session: {ROOM}" in plain(reminder)


def test_the_cancellation_does_not_promise_a_join_button(app, place, client_user):
    booking = book(place, place.video, client_user)
    lifecycle.cancel(booking, place.practice.practitioner)
    (cancelled,) = mails(app, client_user.email, "Your session on")
    assert "Join button" not in plain(cancelled) and "Join button" not in html(cancelled)


def test_a_sessions_own_link_goes_in_the_later_e_mails_and_the_feed(app, place, client_user):
    booking = book(place, place.video, client_user)
    lifecycle.set_video_link(booking, "https://whereby.com/maya-clara", place.practice.practitioner)
    lifecycle.remind(booking)
    db.session.commit()
    (reminder,) = mails(app, client_user.email, "Reminder")
    assert "https://whereby.com/maya-clara" in plain(reminder) and ROOM not in plain(reminder)
    token = feeds.renew_feed_token(place.practice.rules)
    (event,) = icalendar.Calendar.from_ical(feeds.feed_for_token(token)).walk("VEVENT")
    assert str(event["LOCATION"]) == "https://whereby.com/maya-clara" == str(event["URL"])
    assert int(event["SEQUENCE"]) == 1


def test_the_feed_gives_each_session_its_own_location(app, place, client_user):
    book(place, place.video, client_user)
    book(place, place.phone, client_user)
    book(place, place.in_person, client_user)
    token = feeds.renew_feed_token(place.practice.rules)
    events = icalendar.Calendar.from_ical(feeds.feed_for_token(token)).walk("VEVENT")
    by_summary = {str(e["SUMMARY"]).split(":")[0]: str(e["LOCATION"]) for e in events}
    assert by_summary == {"Follow-up": ROOM, "Discovery call": "Phone call", "Initial consultation": ADDRESS_LINE}


# Changes of place after booking: the client is told, with an updated invitation ---------------------------------------


def test_a_sessions_own_link_is_e_mailed_to_the_client_with_an_updated_invitation(app, place, client_user):
    booking = book(place, place.video, client_user)
    lifecycle.set_video_link(booking, "https://whereby.com/maya-clara", place.practice.practitioner)
    (changed,) = mails(app, client_user.email, "Where your session on")
    assert "https://whereby.com/maya-clara" in plain(changed)
    event = event_of(changed)
    assert str(event["LOCATION"]) == "https://whereby.com/maya-clara" and int(event["SEQUENCE"]) == 1
    assert mails(app, place.practice.practitioner.email, "Where") == []  # she made the change herself


def test_a_service_moved_to_video_tells_its_upcoming_sessions_clients_and_no_others(
    app, place, client_user, make_user, make_booking
):
    upcoming = book(place, place.in_person, client_user)
    past = make_booking(make_user(), place.in_person, status="completed")
    other_service = book(place, place.phone, make_user(email="priya@example.com"))
    settings.save_service(
        place.in_person,
        place.practice.practitioner,
        name="Initial consultation",
        description="",
        duration_minutes=60,
        price_minor=15000,
        currency="GBP",
        active=True,
        location_kind=LocationKind.VIDEO,
        video_url=ROOM,
    )
    told = [m for m in outbox_messages(app) if m["Subject"].startswith("Where your session")]
    assert [m["To"] for m in told] == [client_user.email]
    assert str(event_of(told[0])["LOCATION"]) == ROOM and f"Join the video session: {ROOM}" in plain(told[0])
    db.session.expire_all()
    assert "place_changed" in actions_of(upcoming)
    assert "place_changed" not in actions_of(past) and "place_changed" not in actions_of(other_service)


def test_renaming_a_service_without_changing_where_tells_nobody(app, place, client_user):
    book(place, place.video, client_user)
    settings.save_service(
        place.video,
        place.practice.practitioner,
        name="Video follow-up",
        description="",
        duration_minutes=45,
        price_minor=8500,
        currency="GBP",
        active=True,
        location_kind=LocationKind.VIDEO,
        video_url=ROOM,
    )
    assert [m for m in outbox_messages(app) if m["Subject"].startswith("Where")] == []


def test_a_new_practice_address_tells_the_clients_of_in_person_sessions_only(app, place, client_user, make_user):
    book(place, place.in_person, client_user)
    book(place, place.video, make_user(email="priya@example.com"))
    settings.save_practice_address(place.practice.rules, "2 New Street\nBath")
    told = [m for m in outbox_messages(app) if m["Subject"].startswith("Where your session")]
    assert [m["To"] for m in told] == [client_user.email]
    assert str(event_of(told[0])["LOCATION"]) == "2 New Street, Bath"
