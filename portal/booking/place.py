"""Where a session happens: in person (at an address), by phone (the practitioner phones the client) or by video
(in the practitioner's own room: a Zoom, Google Meet, Jitsi or Whereby link she sets; the portal calls none of
them), and when the client and the practitioner may join a video session.

Plain functions over plain values: the pages, the e-mails and the calendar files all ask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from portal.inputs import single_line_problem
from portal.models import Booking, BookingRules, BookingStatus, LocationKind, Service
from portal.models.booking import VIDEO_URL_MAX

JOIN_OPENS_BEFORE = timedelta(minutes=15)
PHONE_LOCATION = "Phone call"

# A host name of letters, digits and hyphens in dot-separated labels, with a top-level domain: meet.jit.si,
# us02web.zoom.us, meet.google.com, whereby.com. No user name or password, no IP address.
_HOST = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def video_link_problem(url: str) -> str | None:
    """Why `url` can't be a video room link, or None: an https address of a named host, at most 500 characters."""
    if not url:
        return "Enter the link of your video room."
    if len(url) > VIDEO_URL_MAX:
        return f"Use at most {VIDEO_URL_MAX} characters."
    if single_line_problem(url) or any(c.isspace() for c in url) or not url.isascii():
        return "Paste the link as it is, without spaces or line breaks."
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return "This is not a link we can use. Copy it again from your video app."
    if parts.scheme.lower() != "https":
        return "Use a secure link: it starts with https://."
    if parts.username is not None or parts.password is not None:
        return "Use the room's link without a user name or password in it."
    if not _HOST.fullmatch(parts.hostname or "") or port == 0:
        return "This is not a link we can use. Copy it again from your video app."
    return None


@dataclass(frozen=True)
class Place:
    """Where one session happens, as both sides are told."""

    kind: LocationKind
    address: str = ""  # in person: the service's address, else the practice's ("" if she has set none)
    video_url: str = ""  # video: the booking's own room link, else the service's

    @property
    def calendar_location(self) -> str:
        """The LOCATION of the calendar event."""
        if self.kind == LocationKind.VIDEO:
            return self.video_url
        if self.kind == LocationKind.PHONE:
            return PHONE_LOCATION
        return ", ".join(line.strip() for line in self.address.splitlines() if line.strip())


def service_place(service: Service, rules: BookingRules) -> Place:
    """Where a service's sessions happen. `rules` are its practitioner's (they hold the practice address)."""
    kind = LocationKind(service.location_kind)
    if kind == LocationKind.VIDEO:
        return Place(kind, video_url=service.video_url)
    if kind == LocationKind.PHONE:
        return Place(kind)
    return Place(kind, address=service.address or rules.address)


def booking_place(booking: Booking, rules: BookingRules) -> Place:
    """Where a booked session happens: its service's place, with the booking's own room link if it has one."""
    place = service_place(booking.service, rules)
    if place.kind == LocationKind.VIDEO and booking.video_url:
        return Place(place.kind, video_url=booking.video_url)
    return place


def join_opens_at(booking: Booking) -> datetime:
    return booking.starts_at - JOIN_OPENS_BEFORE


def can_join(booking: Booking, now: datetime) -> bool:
    """A confirmed session may be joined from 15 minutes before its start until its end (exclusive); a cancelled,
    unpaid or finished one never. Whether it is a video session is the caller's question (see `booking_place`)."""
    return booking.status == BookingStatus.CONFIRMED and join_opens_at(booking) <= now < booking.ends_at
