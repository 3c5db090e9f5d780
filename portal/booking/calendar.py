"""Calendar files for sessions, built with the icalendar library: invitations attached to e-mails
(METHOD:REQUEST, or METHOD:CANCEL when a session is cancelled) and the practitioner's subscription feed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import cast

from icalendar import Calendar, Event, vCalAddress, vText

FEED_REFRESH = timedelta(minutes=15)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable for the life of the booking, so calendar apps update the same entry
    sequence: int  # rises with every change
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    organizer_name: str
    organizer_email: str
    attendee_name: str
    attendee_email: str
    cancelled: bool = False
    location: str = ""
    url: str = ""


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


def _event(item: CalendarEvent, stamp: datetime, *, invitation: bool) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", item.ends_at.astimezone(UTC))
    event.add("summary", item.summary)
    event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(item.organizer_email, item.organizer_name))
    if invitation:
        event.add(
            "attendee",
            _address(
                item.attendee_email,
                item.attendee_name,
                role="REQ-PARTICIPANT",
                partstat="DECLINED" if item.cancelled else "ACCEPTED",
                rsvp="FALSE",
            ),
        )
    return event


def _calendar(product_id: str, method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", product_id)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def invitation_ics(event: CalendarEvent, product_id: str, now: datetime | None = None) -> bytes:
    """One session as an e-mail attachment: a request, or its cancellation."""
    calendar = _calendar(product_id, "CANCEL" if event.cancelled else "REQUEST")
    calendar.add_component(_event(event, now or datetime.now(UTC), invitation=True))
    return cast(bytes, calendar.to_ical())  # icalendar leaves to_ical() unannotated


def feed_ics(
    events: Iterable[CalendarEvent], calendar_name: str, product_id: str, now: datetime | None = None
) -> bytes:
    """A subscription feed of sessions; cancelled ones stay in it, marked cancelled."""
    calendar = _calendar(product_id, "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")  # the same, for Outlook
    stamp = now or datetime.now(UTC)
    for item in events:
        calendar.add_component(_event(item, stamp, invitation=False))
    return cast(bytes, calendar.to_ical())
