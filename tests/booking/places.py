"""A practice with a video service and sessions about to start, for the tests of where sessions happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from portal.booking.place import JOIN_OPENS_BEFORE
from portal.db_types import utcnow
from portal.models import Booking, LocationKind, Service, User
from portal.practice import settings
from tests import factories
from tests.conftest import Practice

ROOM = "https://meet.jit.si/MayaLennox-FollowUp"
ADDRESS = "The Garden Rooms\n14 Orchard Lane\nBristol BS8 1QA"
STEP = timedelta(minutes=5)


@dataclass
class VideoPractice:
    practice: Practice
    video: Service  # 45 minutes by video, in ROOM
    phone: Service  # the discovery call, by phone
    in_person: Service  # 60 minutes at the practice address, ADDRESS


def video_practice(practice: Practice) -> VideoPractice:
    """The `practice` fixture open all day, every day, with start times every 5 minutes (so a session can start
    within minutes of now at any hour), a practice address, and a service of each kind."""
    maya = practice.practitioner
    for weekday in range(7):  # around her 09:00-17:00, which the fixture has set on every day
        settings.add_working_range(maya, weekday, time(0), time(9))
        settings.add_working_range(maya, weekday, time(17), time(0))
    values = {name: getattr(practice.rules, name) for name in settings.RULE_FIELDS} | {"slot_step_minutes": 5}
    settings.update_rules(practice.rules, values)
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
    """The first 5-minute start at least a minute from now: the join button shows 15 minutes before it."""
    now = now or utcnow()
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=5 - now.minute % 5)
    if start - now < timedelta(minutes=1):
        start += STEP
    assert start - JOIN_OPENS_BEFORE < now < start
    return start


def book_video_soon(place: VideoPractice, client: User) -> Booking:
    """A confirmed video session starting within minutes, booked through the domain."""
    return factories.book(client, place.video, start=start_in_join_window())
