"""The practitioner's settings as plain functions: services, weekly hours, time off, booking rules."""

from __future__ import annotations

from datetime import date, time

from portal.booking import lifecycle
from portal.booking.place import video_link_problem
from portal.extensions import db
from portal.models import BookingRules, LocationKind, Service, TimeOff, User, WorkingHours
from portal.models.booking import ADDRESS_MAX

RULE_FIELDS = (
    "timezone",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "min_notice_minutes",
    "horizon_days",
    "slot_step_minutes",
    "cancellation_window_hours",
    "hold_minutes",
    "reminder_hours",
)


def services_of(practitioner: User) -> list[Service]:
    return list(
        db.session.execute(
            db.select(Service)
            .filter_by(practitioner_id=practitioner.id)
            .order_by(Service.active.desc(), Service.position, Service.id)
        ).scalars()
    )


def save_service(
    service: Service | None,
    practitioner: User,
    *,
    name: str,
    description: str,
    duration_minutes: int,
    price_minor: int,
    currency: str,
    active: bool,
    location_kind: LocationKind = LocationKind.IN_PERSON,
    video_url: str = "",
    address: str = "",
) -> Service:
    """Create a service (service=None) or change one. Bookings already made keep the price they had; where they
    happen follows the service (a booking's own video link stays), and the clients of upcoming sessions whose
    place changes are e-mailed an updated invitation, in the same transaction.

    A video service needs its room link; a link given for another kind is kept for later, so it must be valid too.
    `address` is the service's own, instead of the practice address (for in-person sessions).
    """
    location_kind = LocationKind(location_kind)
    if video_url or location_kind == LocationKind.VIDEO:
        problem = video_link_problem(video_url)
        if problem:
            raise SettingsError(problem)
    address = tidy_address(address)
    before = {} if service is None else lifecycle.upcoming_places(practitioner.id, service.id)
    if service is None:
        service = Service(practitioner_id=practitioner.id, currency=currency)
        db.session.add(service)
    service.name, service.description = name, description
    service.duration_minutes, service.price_minor, service.active = duration_minutes, price_minor, active
    service.location_kind, service.video_url, service.address = location_kind.value, video_url, address
    lifecycle.announce_place_changes(before, practitioner)
    db.session.commit()
    return service


def tidy_address(address: str) -> str:
    """An address as lines without surrounding spaces or empty lines, at most ADDRESS_MAX characters."""
    tidy = "\n".join(line.strip() for line in address.splitlines() if line.strip())
    if len(tidy) > ADDRESS_MAX:
        raise SettingsError(f"Use at most {ADDRESS_MAX} characters.")
    return tidy


def save_practice_address(rules: BookingRules, address: str) -> BookingRules:
    """Where she sees clients in person: shown with every in-person session that has no address of its own. The
    clients of upcoming sessions it changes are e-mailed an updated invitation, in the same transaction."""
    address = tidy_address(address)
    before = lifecycle.upcoming_places(rules.practitioner_id)
    rules.address = address
    lifecycle.announce_place_changes(before, db.session.get_one(User, rules.practitioner_id))
    db.session.commit()
    return rules


def minute_of_day(at: time, end_of_range: bool = False) -> int:
    """Minutes after midnight; an end of 00:00 means midnight at the end of the day (1440)."""
    minute = at.hour * 60 + at.minute
    return 1440 if end_of_range and minute == 0 else minute


def working_hours_of(practitioner: User) -> list[WorkingHours]:
    return list(
        db.session.execute(
            db.select(WorkingHours)
            .filter_by(practitioner_id=practitioner.id)
            .order_by(WorkingHours.weekday, WorkingHours.start_minute)
        ).scalars()
    )


class SettingsError(ValueError):
    """A change that can't be made; str() is the message for her."""


def _checked_range(
    practitioner: User, weekday: int, start: time, end: time, editing: WorkingHours | None = None
) -> tuple[int, int]:
    """The range as minutes of the day, if it ends after it starts and overlaps none of her other ranges."""
    start_minute, end_minute = minute_of_day(start), minute_of_day(end, end_of_range=True)
    if end_minute <= start_minute:
        raise SettingsError("The end must be after the start.")
    for existing in working_hours_of(practitioner):
        if existing is editing:
            continue
        if existing.weekday == weekday and existing.start_minute < end_minute and start_minute < existing.end_minute:
            raise SettingsError("This overlaps hours you already have on that day. Remove or change those first.")
    return start_minute, end_minute


def add_working_range(practitioner: User, weekday: int, start: time, end: time) -> WorkingHours:
    start_minute, end_minute = _checked_range(practitioner, weekday, start, end)
    hours = WorkingHours(
        practitioner_id=practitioner.id, weekday=weekday, start_minute=start_minute, end_minute=end_minute
    )
    db.session.add(hours)
    db.session.commit()
    return hours


def change_working_range(hours: WorkingHours, practitioner: User, weekday: int, start: time, end: time) -> WorkingHours:
    """Edit one of her ranges in place (its day, start and end). Sessions already booked stay booked."""
    if hours.practitioner_id != practitioner.id:
        raise SettingsError("These are not your hours.")
    hours.start_minute, hours.end_minute = _checked_range(practitioner, weekday, start, end, editing=hours)
    hours.weekday = weekday
    db.session.commit()
    return hours


def time_off_of(practitioner: User, today: date) -> list[TimeOff]:
    """Her time off that has not ended yet, soonest first."""
    return list(
        db.session.execute(
            db.select(TimeOff)
            .filter(TimeOff.practitioner_id == practitioner.id, TimeOff.last_day >= today)
            .order_by(TimeOff.first_day)
        ).scalars()
    )


def add_time_off(practitioner: User, first_day: date, last_day: date | None, note: str) -> TimeOff:
    last_day = last_day or first_day
    if last_day < first_day:
        raise SettingsError("The last day can't be before the first day.")
    if (last_day - first_day).days > 366:
        raise SettingsError("Time off can cover at most a year at a time.")
    off = TimeOff(practitioner_id=practitioner.id, first_day=first_day, last_day=last_day, note=note)
    db.session.add(off)
    db.session.commit()
    return off


def delete_owned(model: type, object_id: int, practitioner: User) -> bool:
    """Delete one of her working-hours or time-off rows; False if there is no such row of hers."""
    row = db.session.get(model, object_id)
    if row is None or row.practitioner_id != practitioner.id:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def update_rules(rules: BookingRules, values: dict) -> BookingRules:
    for name in RULE_FIELDS:
        setattr(rules, name, values[name])
    db.session.commit()
    return rules
