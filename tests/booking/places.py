"""A practice with a video service and sessions about to start, for the tests of where sessions happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.booking import lifecycle
from portal.booking.place import JOIN_OPENS_BEFORE
from portal.db_types import utcnow
from portal.models import Booking, LocationKind, Service, User
from portal.practice import settings
from tests import factories
from tests.conftest import Practice

ROOM = "https://meet.jit.si/MayaLennox-FollowUp"
ADDRESS = "The Garden Rooms\n14 Orchard Lane\nBristol BS8 1QA"


@dataclass
class VideoPractice:
    practice: Practice
    video: Service  # 45 minutes by video, in ROOM
    phone: Service  # the discovery call, by phone
    in_person: Service  # 60 minutes at the practice address, ADDRESS


def video_practice(practice: Practice) -> VideoPractice:
    """The `practice` fixture with a practice address and a service of each kind."""
    maya = practice.practitioner
    settings.save_practice_address(practice.rules, ADDRESS)
    video = _change(practice.follow_up, maya, LocationKind.VIDEO, ROOM)
    phone = _change(practice.discovery, maya, LocationKind.PHONE, "")
    in_person = settings.save_service(
        None,
        maya,
        name="Initial consultation",
        description="",
        duration_minutes=60,
        price_minor=15000,
        currency="GBP",
        active=True,
    )
    return VideoPractice(practice, video, phone, in_person)


def _change(service: Service, maya: User, kind: LocationKind, room: str) -> Service:
    return settings.save_service(
        service,
        maya,
        name=service.name,
        description=service.description,
        duration_minutes=service.duration_minutes,
        price_minor=service.price_minor,
        currency=service.currency,
        active=True,
        location_kind=kind,
        video_url=room,
    )


def start_in_join_window(now: datetime | None = None) -> datetime:
    """A start a few minutes from now, on the minute: the join button shows from 15 minutes before it."""
    now = now or utcnow()
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=5)
    assert start - JOIN_OPENS_BEFORE < now < start
    return start


def book_video_soon(place: VideoPractice, client: User) -> Booking:
    """A confirmed video session starting within minutes, through the domain at any hour: booked for next week,
    then moved by the practitioner, whom the booking rules' hours and notice do not bind."""
    booking = factories.book(client, place.video)
    return lifecycle.move(booking, start_in_join_window(), place.practice.practitioner)
