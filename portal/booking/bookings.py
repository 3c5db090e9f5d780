"""Booking rules in action: what can be booked, and booking, moving and cancelling sessions.

Views call these functions; they take plain values and the acting user, and commit their own work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.booking import slots
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    BLOCKING_STATUSES,
    Booking,
    BookingEvent,
    BookingRules,
    BookingStatus,
    Service,
    TimeOff,
    User,
    WorkingHours,
)
from portal.models.booking import NO_OVERLAP_CONSTRAINT
from portal.practice.team import join_care_team


class BookingError(Exception):
    """The booking could not be made or changed; str() is the message for the person."""

    def __init__(self, message: str, next_free: list[datetime] | None = None):
        super().__init__(message)
        self.next_free = next_free or []


def rules_for(practitioner_id: int, default_timezone: str) -> BookingRules:
    """Her booking rules, created with sensible defaults the first time they are needed."""
    rules = db.session.get(BookingRules, practitioner_id)
    if rules is None:
        rules = BookingRules(practitioner_id=practitioner_id, timezone=default_timezone)
        db.session.add(rules)
        db.session.flush()
    return rules


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


def load_availability(
    practitioner_id: int, default_timezone: str, now: datetime, ignore_booking_id: int | None = None
) -> Availability:
    rules = rules_for(practitioner_id, default_timezone)
    hours = db.session.execute(db.select(WorkingHours).filter_by(practitioner_id=practitioner_id)).scalars()
    time_off = db.session.execute(
        db.select(TimeOff).filter(
            TimeOff.practitioner_id == practitioner_id, TimeOff.last_day >= now.date() - timedelta(days=1)
        )
    ).scalars()
    horizon_end = now + timedelta(days=rules.horizon_days + 2)
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


def _record(
    booking: Booking,
    action: str,
    actor: User | None,
    from_status: str | None,
    *,
    old_start: datetime | None = None,
    note: str = "",
) -> None:
    db.session.add(
        BookingEvent(
            booking=booking,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=from_status,
            to_status=booking.status,
            old_starts_at=old_start,
            new_starts_at=booking.starts_at if action in ("created", "rescheduled") else None,
            note=note[:300],
        )
    )


def _commit_or_taken(
    availability: Availability, duration: timedelta, now: datetime, also: Callable[[], None] | None = None
) -> None:
    """Run `also` (more writes in the same transaction), then commit; if the database refuses an overlap, say
    so and offer the next free times."""
    try:
        if also is not None:
            also()
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if NO_OVERLAP_CONSTRAINT not in str(error.orig):
            raise
        raise BookingError(slots.SlotProblem.TAKEN.value, availability.free(duration, now)[:5]) from None


def create_booking(
    client: User,
    service: Service,
    start: datetime,
    *,
    default_timezone: str,
    now: datetime | None = None,
    needs_payment: bool = False,
) -> Booking:
    """Book `service` at `start` for `client`. Price and length come from the service, never the form.

    A booking that needs payment waits as pending_payment and holds its slot for the rules' hold time.
    """
    now = now or utcnow()
    if not service.active:
        raise BookingError("This service can no longer be booked.")
    duration = timedelta(minutes=service.duration_minutes)
    availability = load_availability(service.practitioner_id, default_timezone, now)
    problem = availability.problem(start, duration, now)
    if problem is not None:
        raise BookingError(problem.value, availability.free(duration, now)[:5])
    rules = rules_for(service.practitioner_id, default_timezone)
    blocked_from, blocked_until = slots.blocked_interval(start, duration, availability.rules)
    status = BookingStatus.PENDING_PAYMENT if needs_payment else BookingStatus.CONFIRMED
    booking = Booking(
        practitioner_id=service.practitioner_id,
        client_id=client.id,
        service_id=service.id,
        status=status.value,
        starts_at=start,
        ends_at=start + duration,
        blocked_from=blocked_from,
        blocked_until=blocked_until,
        price_minor=service.price_minor,
        currency=service.currency,
        hold_expires_at=now + timedelta(minutes=rules.hold_minutes) if needs_payment else None,
    )
    db.session.add(booking)
    _record(booking, "created", client, None)
    # Her first booking with a practitioner puts her on that practitioner's care team, in the same transaction.
    _commit_or_taken(availability, duration, now, also=lambda: join_care_team(service.practitioner_id, client.id))
    return booking


def confirm_paid(booking: Booking) -> bool:
    """Its payment has arrived: confirm a booking waiting for it, or revive one whose hold ran out if its
    time is still free. False when it can't be confirmed (cancelled, or the time was taken meanwhile).

    Commits together with whatever the caller has changed in the same session (the payment's status).
    """
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        db.session.commit()
        return True
    if booking.status not in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED):
        return False
    from_status = booking.status
    booking.status, booking.hold_expires_at = BookingStatus.CONFIRMED.value, None
    _record(booking, "paid", None, from_status)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if NO_OVERLAP_CONSTRAINT not in str(error.orig):
            raise
        return False
    return True


def client_may_change(booking: Booking, rules: BookingRules, now: datetime | None = None) -> bool:
    """Clients may move or cancel an active booking only up to the cancellation window before it."""
    now = now or utcnow()
    return booking.is_active and booking.starts_at - now >= timedelta(hours=rules.cancellation_window_hours)


def reschedule_booking(
    booking: Booking, new_start: datetime, actor: User, *, default_timezone: str, now: datetime | None = None
) -> Booking:
    """Move a booking. Clients are held to the policy and the slot rules; the practice's team (the practitioner,
    the owner, the assistant) only to free time."""
    now = now or utcnow()
    if not booking.is_active:
        raise BookingError("This session is no longer active, so it can't be moved.")
    rules = rules_for(booking.practitioner_id, default_timezone)
    if actor.is_client and not client_may_change(booking, rules, now):
        raise BookingError(
            f"Sessions can be moved up to {rules.cancellation_window_hours} hours before they start. "
            "Please contact the practice."
        )
    duration = booking.ends_at - booking.starts_at
    availability = load_availability(booking.practitioner_id, default_timezone, now, ignore_booking_id=booking.id)
    problem = availability.problem(new_start, duration, now)
    if actor.is_staff and problem in (
        slots.SlotProblem.TOO_SOON,
        slots.SlotProblem.TOO_FAR,
        slots.SlotProblem.OUTSIDE_HOURS,
    ):
        problem = None  # she may place a session outside her own booking rules
    if problem is not None:
        raise BookingError(problem.value, availability.free(duration, now)[:5])
    old_start = booking.starts_at
    booking.starts_at, booking.ends_at = new_start, new_start + duration
    booking.blocked_from, booking.blocked_until = slots.blocked_interval(new_start, duration, availability.rules)
    booking.sequence += 1
    _record(booking, "rescheduled", actor, booking.status, old_start=old_start)
    _commit_or_taken(availability, duration, now)
    return booking


def cancel_booking(
    booking: Booking, actor: User, *, default_timezone: str, reason: str = "", now: datetime | None = None
) -> Booking:
    now = now or utcnow()
    if booking.status == BookingStatus.CANCELLED:
        raise BookingError("This session was already cancelled.")
    if not booking.is_active:
        raise BookingError("This session is no longer active, so it can't be cancelled.")
    rules = rules_for(booking.practitioner_id, default_timezone)
    if actor.is_client and not client_may_change(booking, rules, now):
        raise BookingError(
            f"Sessions can be cancelled up to {rules.cancellation_window_hours} hours before they "
            "start. Please contact the practice."
        )
    from_status = booking.status
    booking.status = BookingStatus.CANCELLED.value
    booking.hold_expires_at = None
    booking.sequence += 1
    _record(booking, "cancelled", actor, from_status, note=reason)
    db.session.commit()
    return booking


def record_outcome(booking: Booking, outcome: BookingStatus, actor: User, now: datetime | None = None) -> Booking:
    """The practitioner marks a session completed or a no-show, once it has started."""
    now = now or utcnow()
    if outcome not in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingError("Choose completed or no-show.")
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingError("Only a confirmed session can be marked completed or no-show.")
    if booking.starts_at > now:
        raise BookingError("A session can be marked completed or no-show once it has started.")
    if booking.status == outcome:
        raise BookingError("The session is already marked like that.")
    from_status = booking.status
    booking.status = outcome.value
    _record(booking, outcome.value, actor, from_status)
    db.session.commit()
    return booking


def expire_holds(now: datetime | None = None) -> int:
    """Free the slots of bookings whose payment hold has run out; returns how many expired."""
    now = now or utcnow()
    expired = (
        db.session.execute(
            db.select(Booking)
            .filter(Booking.status == BookingStatus.PENDING_PAYMENT, Booking.hold_expires_at <= now)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    for booking in expired:
        booking.status = BookingStatus.EXPIRED.value
        _record(booking, "expired", None, BookingStatus.PENDING_PAYMENT.value, note="Payment not completed in time")
    db.session.commit()
    return len(expired)


# Reading ---------------------------------------------------------------------------------------


def client_bookings(client_id: int) -> list[Booking]:
    return list(
        db.session.execute(
            db.select(Booking)
            .filter_by(client_id=client_id)
            .options(selectinload(Booking.service))
            .order_by(Booking.starts_at.desc())
        ).scalars()
    )


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
