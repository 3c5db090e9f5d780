"""What the booking pages share with the team's booking-for-a-client pages: reading a chosen time, the slot
picker, and the page that says a time can't be booked."""

from __future__ import annotations

from collections.abc import Callable
import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from flask import render_template, request, url_for
from flask_login import current_user

from portal.booking.bookings import BookingError, bookable_service, rules_for
from portal.booking.place import service_place
from portal.db_types import utcnow
from portal.extensions import db
from portal.inputs import day_in_link, iso_instant
from portal.models import Service, User
from portal.security import safe_next
from portal.timeutil import timezone_options


def parse_start(raw: str | None) -> datetime | None:
    """An ISO instant from a form or link, as aware UTC; None if it is not one (or not between 1900 and 2100)."""
    return iso_instant(raw) if raw and len(raw) <= 40 else None


_CONFIRM_PATH = re.compile(r"/book/([0-9]{1,9})/confirm")


def choice_in_next(target: str | None) -> tuple[Service, datetime] | None:
    """The service and future time a visitor chose, read from the `next` she carries to the log-in or sign-up
    page (only this site's /book/<id>/confirm?start=...); None for anything else, never an error."""
    target = safe_next(target)
    if target is None:
        return None
    parts = urlsplit(target)
    path = _CONFIRM_PATH.fullmatch(parts.path)
    starts = parse_qs(parts.query).get("start", [])
    start = parse_start(starts[0]) if path and len(starts) == 1 else None
    if path is None or start is None or start <= utcnow():
        return None
    service = bookable_service(int(path.group(1)))
    return (service, start) if service is not None else None


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def group_by_local_day(items: list, tz: str, when=lambda item: item) -> dict[date, list]:
    """Items (start instants, or bookings with when=...) grouped by their local date in zone `tz`."""
    zone, days = ZoneInfo(tz), dict[date, list]()
    for item in items:
        days.setdefault(when(item).astimezone(zone).date(), []).append(item)
    return days


def slot_page(service: Service, free: list[datetime], tz: str, choose_endpoint: str, **endpoint_args):
    days = group_by_local_day(free, tz)
    chosen = day_in_link(request.args.get("day"))
    if chosen not in days:
        chosen = next(iter(days), None)
    visitor_tz = request.args.get("tz") if not current_user.is_authenticated else None
    here, here_args = request.endpoint, request.view_args
    assert here is not None and here_args is not None  # a request routed to a view
    return render_template(
        "booking/slots.html",
        service=service,
        place=service_place(service, rules_for(service.practitioner_id)),
        practitioner_name=db.session.get_one(User, service.practitioner_id).name,
        days=days,
        chosen=chosen,
        tz=tz,
        rescheduling="booking_id" in endpoint_args,
        booking_id=endpoint_args.get("booking_id"),
        timezone_options=timezone_options(tz),
        day_url=lambda day: url_for(here, **here_args, day=day.isoformat(), tz=visitor_tz),
        choose_url=lambda start: url_for(choose_endpoint, **endpoint_args, start=iso(start)),
    )


def time_taken(service: Service, error: BookingError, choose_url: Callable[[datetime], str], back_url: str):
    """The time can't be booked (taken a moment ago, or no longer allowed): say why and offer the next free ones."""
    return render_template(
        "booking/unavailable.html",
        service=service,
        message=str(error),
        next_free=error.next_free,
        iso=iso,
        choose_url=choose_url,
        back_url=back_url,
    ), 409
