"""Calendar files: invitations and the subscription feed, parsed back with icalendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, UTC

from icalendar import Calendar

from portal.booking.calendar import CalendarEvent, feed_ics, invitation_ics

STAMP = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EVENT = CalendarEvent(
    uid="booking-abc@portal.test",
    sequence=0,
    starts_at=datetime(2030, 1, 8, 10, 0, tzinfo=UTC),
    ends_at=datetime(2030, 1, 8, 10, 45, tzinfo=UTC),
    summary="Follow-up with Zoë O'Brien, RD; notes",
    description="Manage it:\nhttp://portal.test/me/bookings/1",
    organizer_name="Maya Lennox, RNutr",
    organizer_email="maya@example.com",
    attendee_name="Zoë O'Brien; client",
    attendee_email="zoe@example.com",
    url="http://portal.test/me/bookings/1",
)


def parse(raw: bytes):
    calendar = Calendar.from_ical(raw)
    return calendar, calendar.walk("VEVENT")


def test_an_invitation_is_a_request_with_everything_a_calendar_needs():
    raw = invitation_ics(EVENT, "-//Test//EN", now=STAMP)
    calendar, (event,) = parse(raw)
    assert (calendar["METHOD"], calendar["VERSION"], calendar["PRODID"]) == ("REQUEST", "2.0", "-//Test//EN")
    assert str(event["UID"]) == EVENT.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == EVENT.starts_at and event.decoded("DTEND") == EVENT.ends_at
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:maya@example.com"
    assert event["ORGANIZER"].params["CN"] == "Maya Lennox, RNutr"
    assert str(event["ATTENDEE"]) == "mailto:zoe@example.com"
    assert event["ATTENDEE"].params["CN"] == "Zoë O'Brien; client"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


def test_text_with_commas_semicolons_newlines_and_accents_round_trips():
    _, (event,) = parse(invitation_ics(EVENT, "-//Test//EN", now=STAMP))
    assert str(event["SUMMARY"]) == EVENT.summary
    assert str(event["DESCRIPTION"]) == EVENT.description


def test_a_cancellation_keeps_the_uid_and_says_cancel():
    cancelled = replace(EVENT, sequence=2, cancelled=True)
    calendar, (event,) = parse(invitation_ics(cancelled, "-//Test//EN", now=STAMP))
    assert calendar["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == EVENT.uid and int(event["SEQUENCE"]) == 2


def test_lines_are_folded_and_end_in_crlf():
    long = replace(EVENT, description="word " * 80)
    raw = invitation_ics(long, "-//Test//EN", now=STAMP)
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75


def test_the_feed_publishes_every_session_and_keeps_cancelled_ones_marked():
    events = [
        replace(
            EVENT,
            uid=f"booking-{i}@portal.test",
            starts_at=EVENT.starts_at + timedelta(days=i),
            ends_at=EVENT.ends_at + timedelta(days=i),
            cancelled=i == 2,
        )
        for i in range(3)
    ]
    calendar, parsed = parse(feed_ics(events, "Practice bookings", "-//Test//EN", now=STAMP))
    assert calendar["METHOD"] == "PUBLISH" and calendar["X-WR-CALNAME"] == "Practice bookings"
    assert [str(e["UID"]) for e in parsed] == [e.uid for e in events]
    assert [str(e["STATUS"]) for e in parsed] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert all("ATTENDEE" not in e for e in parsed)
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(minutes=15)
