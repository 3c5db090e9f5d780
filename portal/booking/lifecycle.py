"""The one place a booking changes state: booked, confirmed, moved, cancelled, completed, marked a no-show or
expired. Every entry point (the booking pages, the payment webhook, the scheduled jobs) calls these.

Each function checks the rules, writes the booking and its history, queues the e-mails the change causes (through
the outbox, see portal/mail.py) and commits once, so a change that fails sends nothing and a change that stands
always has its messages. Confirming a booking, however it came about (a free session, one paid at the session,
a card payment's webhook), also sends the client's intake set the first time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.booking import slots
from portal.booking.bookings import Availability, BookingError, client_may_change, load_availability, rules_for
from portal.booking.notify import RefundNote, queue_booking_emails
from portal.booking.place import Place, booking_place, video_link_problem
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingEvent, BookingStatus, LocationKind, Service, User
from portal.models.booking import NO_OVERLAP_CONSTRAINT
from portal.practice.details import contact_sentence
from portal.practice.team import join_care_team
from portal.questionnaires.responses import assign_intake_set

# What the practice's team may do that a client may not: place a session outside the booking rules' hours,
# notice and horizon. Free time still applies to everyone.
STAFF_MAY_OVERRIDE = (slots.SlotProblem.TOO_SOON, slots.SlotProblem.TOO_FAR, slots.SlotProblem.OUTSIDE_HOURS)


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


@contextmanager
def _committed_unless_taken(free_times: Callable[[], list[datetime]]) -> Iterator[None]:
    """Run the block's writes and commit them; if the database refuses an overlapping session (at any flush in the
    block, or at the commit), roll everything back and offer the next free times."""
    try:
        yield
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if NO_OVERLAP_CONSTRAINT not in str(error.orig):
            raise
        raise BookingError(slots.SlotProblem.TAKEN.value, free_times()[:5]) from None


def _confirmed(booking: Booking, client: User, now: datetime) -> None:
    """What confirming causes, in the caller's transaction: both sides told, and the intake set sent once."""
    assign_intake_set(client, booking.practitioner_id, now.astimezone(ZoneInfo(client.timezone)).date())
    queue_booking_emails(booking, "confirmed")


def _free_times(availability: Availability, duration: timedelta, now: datetime) -> Callable[[], list[datetime]]:
    return lambda: availability.free(duration, now)


def book(
    client: User, service: Service, start: datetime, *, needs_payment: bool, now: datetime | None = None
) -> Booking:
    """Book `service` at `start` for `client`. Price and length come from the service, never the form.

    A booking that needs a card payment waits as pending_payment and holds its slot for the rules' hold time; it
    is confirmed by `confirm_payment` when the payment arrives. Any other booking is confirmed at once.
    Her first booking with a practitioner puts her on that practitioner's care team, in the same transaction.
    """
    now = now or utcnow()
    if not service.active:
        raise BookingError("This service can no longer be booked.")
    duration = timedelta(minutes=service.duration_minutes)
    availability = load_availability(service.practitioner_id, now)
    problem = availability.problem(start, duration, now)
    if problem is not None:
        raise BookingError(problem.value, availability.free(duration, now)[:5])
    rules = rules_for(service.practitioner_id)
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
    with _committed_unless_taken(_free_times(availability, duration, now)):
        db.session.add(booking)
        _record(booking, "created", client, None)
        join_care_team(service.practitioner_id, client.id)
        if status == BookingStatus.CONFIRMED:
            db.session.flush()  # the e-mails need the booking's id for their links
            _confirmed(booking, client, now)
    return booking


def confirm_payment(booking: Booking, now: datetime | None = None) -> bool:
    """Its card payment has arrived: confirm a booking waiting for it, or revive one whose hold ran out if its time
    is still free. True if the booking stands (confirmed now or before); False when it can't be confirmed (it was
    cancelled, or its time was taken meanwhile), and nothing of this call's is kept.

    Commits together with whatever the caller has changed in the same session (the payment's status).
    """
    now = now or utcnow()
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        db.session.commit()
        return True
    if booking.status not in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED):
        return False
    try:
        with _committed_unless_taken(lambda: []):
            from_status = booking.status
            booking.status, booking.hold_expires_at = BookingStatus.CONFIRMED.value, None
            _record(booking, "paid", None, from_status)
            db.session.flush()  # the time may have been taken while the hold had run out
            _confirmed(booking, db.session.get_one(User, booking.client_id), now)
    except BookingError:
        return False
    return True


def move(booking: Booking, new_start: datetime, actor: User, *, now: datetime | None = None) -> Booking:
    """Move a booking and tell both sides. Clients are held to the policy and the slot rules; the practice's team
    (the practitioner, the owner, the assistant) only to free time."""
    now = now or utcnow()
    if not booking.is_active:
        raise BookingError("This session is no longer active, so it can't be moved.")
    rules = rules_for(booking.practitioner_id)
    if actor.is_client and not client_may_change(booking, rules, now):
        raise BookingError(
            f"Sessions can be moved up to {rules.cancellation_window_hours} hours before they start. "
            + contact_sentence()
        )
    duration = booking.ends_at - booking.starts_at
    availability = load_availability(booking.practitioner_id, now, ignore_booking_id=booking.id)
    problem = availability.problem(new_start, duration, now)
    if actor.is_staff and problem in STAFF_MAY_OVERRIDE:
        problem = None
    if problem is not None:
        raise BookingError(problem.value, availability.free(duration, now)[:5])
    old_start = booking.starts_at
    with _committed_unless_taken(_free_times(availability, duration, now)):
        booking.starts_at, booking.ends_at = new_start, new_start + duration
        booking.blocked_from, booking.blocked_until = slots.blocked_interval(new_start, duration, availability.rules)
        booking.sequence += 1
        _record(booking, "rescheduled", actor, booking.status, old_start=old_start)
        db.session.flush()
        queue_booking_emails(booking, "rescheduled", old_start)
    return booking


def cancel(
    booking: Booking, actor: User, *, reason: str = "", now: datetime | None = None, refund: RefundNote | None = None
) -> Booking:
    """Cancel a booking and tell both sides. A client may cancel only up to the cancellation window before it.
    Refunds follow from payments.refunds.cancel, which calls this first with what they will be (`refund`, said in
    the e-mails)."""
    now = now or utcnow()
    if booking.status == BookingStatus.CANCELLED:
        raise BookingError("This session was already cancelled.")
    if not booking.is_active:
        raise BookingError("This session is no longer active, so it can't be cancelled.")
    rules = rules_for(booking.practitioner_id)
    if actor.is_client and not client_may_change(booking, rules, now):
        raise BookingError(
            f"Sessions can be cancelled up to {rules.cancellation_window_hours} hours before they start. "
            + contact_sentence()
        )
    from_status = booking.status
    booking.status = BookingStatus.CANCELLED.value
    booking.hold_expires_at = None
    booking.sequence += 1
    _record(booking, "cancelled", actor, from_status, note=reason)
    queue_booking_emails(booking, "cancelled", refund=refund)
    db.session.commit()
    return booking


def set_video_link(booking: Booking, video_url: str, actor: User) -> Booking:
    """Give one session its own video room link instead of its service's, or (video_url="") go back to the
    service's. Recorded in its history; the calendar entry's SEQUENCE rises, so her feed shows the new room."""
    if not booking.is_active:
        raise BookingError("This session is no longer active, so its video link can't be changed.")
    if video_url:
        if db.session.get_one(Service, booking.service_id).location_kind != LocationKind.VIDEO:
            raise BookingError("This session is not by video, so it has no video link.")
        problem = video_link_problem(video_url)
        if problem:
            raise BookingError(problem)
    new = video_url or None
    if new == booking.video_url:
        return booking
    booking.video_url = new
    booking.sequence += 1
    _record(booking, "video_link_set" if new else "video_link_cleared", actor, booking.status)
    if booking.is_upcoming(utcnow()):
        queue_booking_emails(booking, "place_changed")
    db.session.commit()
    return booking


def upcoming_places(practitioner_id: int, service_id: int | None = None) -> dict[int, tuple[Booking, Place]]:
    """Where each of her upcoming sessions (of one service, when given) happens now, by booking id: what
    `announce_place_changes` compares with after a change to a service or the practice address."""
    query = (
        db.select(Booking)
        .filter(Booking.practitioner_id == practitioner_id, Booking.upcoming(utcnow()))
        .options(selectinload(Booking.service), selectinload(Booking.client), selectinload(Booking.practitioner))
    )
    if service_id is not None:
        query = query.filter(Booking.service_id == service_id)
    rules = rules_for(practitioner_id)
    return {b.id: (b, booking_place(b, rules)) for b in db.session.execute(query).scalars()}


def announce_place_changes(before: dict[int, tuple[Booking, Place]], actor: User) -> int:
    """In the caller's transaction, after she changed a service or her practice address: each upcoming session
    whose place is no longer what it was gets a history line, a new SEQUENCE, and an e-mail with its updated
    invitation to the client. Returns how many sessions were told."""
    told = 0
    for booking, old_place in before.values():
        if booking_place(booking, rules_for(booking.practitioner_id)) == old_place:
            continue
        booking.sequence += 1
        _record(booking, "place_changed", actor, booking.status)
        queue_booking_emails(booking, "place_changed")
        told += 1
    return told


def record_outcome(booking: Booking, outcome: BookingStatus, actor: User, now: datetime | None = None) -> Booking:
    """The practitioner marks a session completed or a no-show, once it has started. No e-mail goes out."""
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
    """Free the slots of bookings whose payment hold has run out; returns how many expired. Nothing is e-mailed:
    she was told on the payment page how long her time is held."""
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


def remind(booking: Booking) -> None:
    """Queue the reminder of a confirmed session, in the caller's transaction (the job that claims it commits)."""
    queue_booking_emails(booking, "reminder")
