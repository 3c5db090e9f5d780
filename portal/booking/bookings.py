"""Booking rules in action: what can be booked and when, and the bookings a page lists.

Reading only; every change to a booking is a workflow in portal/booking/lifecycle.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import joinedload, selectinload

from portal.booking import grid, slots
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    BLOCKING_STATUSES,
    Booking,
    BookingEvent,
    BookingRules,
    Service,
    TimeOff,
    User,
    WorkingHours,
)


class BookingError(Exception):
    """The booking could not be made or changed; str() is the message for the person."""

    def __init__(self, message: str, next_free: list[datetime] | None = None):
        super().__init__(message)
        self.next_free = next_free or []


def rules_for(practitioner_id: int) -> BookingRules:
    """Her booking rules, made with her account (accounts.users.create_user) and changed on her settings page."""
    return db.session.get_one(BookingRules, practitioner_id)


def slot_rules(rules: BookingRules) -> slots.Rules:
    return slots.Rules(
        timezone=rules.timezone,
        buffer_before=timedelta(minutes=rules.buffer_before_minutes),
        buffer_after=timedelta(minutes=rules.buffer_after_minutes),
        min_notice=timedelta(minutes=rules.min_notice_minutes),
        horizon_days=rules.horizon_days,
        step=timedelta(minutes=rules.slot_step_minutes),
    )


def _minute_time(minute: int) -> time:
    return time.max if minute >= 1440 else time(minute // 60, minute % 60)


@dataclass
class Availability:
    """Everything the slot computation needs for one practitioner, loaded in a fixed number of queries."""

    rules: slots.Rules
    hours: list[slots.WorkingRange]
    time_off: list[slots.TimeOff]
    busy: list[slots.Busy]

    def free(
        self, duration: timedelta, now: datetime, first_day: date | None = None, last_day: date | None = None
    ) -> list[datetime]:
        return slots.free_slots(self.rules, self.hours, self.time_off, self.busy, duration, now, first_day, last_day)

    def problem(self, start: datetime, duration: timedelta, now: datetime) -> slots.SlotProblem | None:
        return slots.slot_problem(start, self.rules, self.hours, self.time_off, self.busy, duration, now)

    def staff_problem(self, start: datetime, duration: timedelta, now: datetime) -> slots.StaffProblem | None:
        return slots.staff_problem(start, self.rules, self.hours, self.time_off, self.busy, duration, now)


def load_availability(
    practitioner_id: int, now: datetime, ignore_booking_id: int | None = None, until: datetime | None = None
) -> Availability:
    """Her rules, hours, time off and busy times from now to the end of her booking horizon (or `until`, when
    later: a series of sessions reaches further than clients may book)."""
    rules = rules_for(practitioner_id)
    hours = db.session.execute(db.select(WorkingHours).filter_by(practitioner_id=practitioner_id)).scalars()
    time_off = db.session.execute(
        db.select(TimeOff).filter(
            TimeOff.practitioner_id == practitioner_id, TimeOff.last_day >= now.date() - timedelta(days=1)
        )
    ).scalars()
    horizon_end = max(now + timedelta(days=rules.horizon_days + 2), until or now)
    busy_query = db.select(Booking.blocked_from, Booking.blocked_until).filter(
        Booking.practitioner_id == practitioner_id,
        Booking.status.in_([s.value for s in BLOCKING_STATUSES]),
        Booking.blocked_until > now,
        Booking.blocked_from < horizon_end,
    )
    if ignore_booking_id is not None:
        busy_query = busy_query.filter(Booking.id != ignore_booking_id)
    return Availability(
        rules=slot_rules(rules),
        hours=[slots.WorkingRange(h.weekday, _minute_time(h.start_minute), _minute_time(h.end_minute)) for h in hours],
        time_off=[slots.TimeOff(t.first_day, t.last_day) for t in time_off],
        busy=[(row.blocked_from, row.blocked_until) for row in db.session.execute(busy_query)],
    )


def active_services(practitioner_id: int | None = None) -> list[Service]:
    """Services open for booking (of one practitioner, when given), each with its practitioner; a deactivated
    practitioner's services are not offered."""
    query = (
        db.select(Service)
        .join(User, User.id == Service.practitioner_id)
        .filter(Service.active.is_(True), User.deactivated_at.is_(None))
        .options(selectinload(Service.practitioner))
        .order_by(Service.position, Service.id)
    )
    if practitioner_id is not None:
        query = query.filter(Service.practitioner_id == practitioner_id)
    return list(db.session.execute(query).scalars())


def bookable_service(service_id: int) -> Service | None:
    service = db.session.execute(
        db.select(Service)
        .join(User, User.id == Service.practitioner_id)
        .filter(Service.id == service_id, Service.active.is_(True), User.deactivated_at.is_(None))
        .options(selectinload(Service.practitioner))
    ).scalar_one_or_none()
    return service


def client_may_change(booking: Booking, rules: BookingRules, now: datetime | None = None) -> bool:
    """Clients may move or cancel an active booking only up to the cancellation window before it."""
    now = now or utcnow()
    return booking.is_active and booking.starts_at - now >= timedelta(hours=rules.cancellation_window_hours)


def client_bookings(client_id: int, now: datetime, past_limit: int = 10) -> tuple[list[Booking], list[Booking]]:
    """Her upcoming sessions, soonest first, and her latest `past_limit` others, newest first: two queries
    with their services, however long her history."""
    query = db.select(Booking).filter_by(client_id=client_id).options(joinedload(Booking.service))
    upcoming = db.session.execute(query.filter(Booking.upcoming(now)).order_by(Booking.starts_at)).scalars()
    past = db.session.execute(
        query.filter(~Booking.upcoming(now)).order_by(Booking.starts_at.desc()).limit(past_limit)
    ).scalars()
    return list(upcoming), list(past)


def agenda(practitioner_id: int | None, start: datetime, end: datetime) -> list[Booking]:
    """Her bookings (None: the whole practice's) that start in [start, end), with client, service and
    practitioner, in one query each."""
    query = db.select(Booking).filter(Booking.starts_at >= start, Booking.starts_at < end)
    if practitioner_id is not None:
        query = query.filter(Booking.practitioner_id == practitioner_id)
    return list(
        db.session.execute(
            query.options(
                selectinload(Booking.client), selectinload(Booking.service), selectinload(Booking.practitioner)
            ).order_by(Booking.starts_at)
        ).scalars()
    )


def calendar_grid(practitioner_id: int, days: list[date], around: list[Booking], now: datetime) -> grid.Grid:
    """Her calendar of `days` in her practice's zone, from her hours and time off on those days and `around` (her
    bookings around them); a free gap is at least as long as her shortest bookable service."""
    rules = rules_for(practitioner_id)
    hours = db.session.execute(db.select(WorkingHours).filter_by(practitioner_id=practitioner_id)).scalars()
    time_off = db.session.execute(
        db.select(TimeOff).filter(
            TimeOff.practitioner_id == practitioner_id, TimeOff.last_day >= days[0], TimeOff.first_day <= days[-1]
        )
    ).scalars()
    shortest = db.session.scalar(
        db.select(db.func.min(Service.duration_minutes)).filter_by(practitioner_id=practitioner_id, active=True)
    )
    return grid.build_grid(
        days,
        rules.timezone,
        [slots.WorkingRange(h.weekday, _minute_time(h.start_minute), _minute_time(h.end_minute)) for h in hours],
        [slots.TimeOff(t.first_day, t.last_day) for t in time_off],
        around,
        now,
        timedelta(minutes=shortest or 15),
    )


def booking_with_history(booking_id: int) -> Booking | None:
    return db.session.execute(
        db.select(Booking)
        .filter_by(id=booking_id)
        .options(
            selectinload(Booking.client),
            selectinload(Booking.service),
            selectinload(Booking.practitioner),
            selectinload(Booking.events).selectinload(BookingEvent.actor),
        )
    ).scalar_one_or_none()


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local day in zone `tz` begins and ends (23 or 25 hours on DST days)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
