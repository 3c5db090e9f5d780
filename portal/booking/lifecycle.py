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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.accounts import users
from portal.booking import slots
from portal.booking.bookings import Availability, BookingError, client_may_change, load_availability, rules_for
from portal.booking.notify import RefundNote, queue_booking_emails
from portal.booking.place import Place, booking_place, video_link_problem
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingEvent, BookingStatus, LocationKind, Service, User
from portal.models.booking import NO_OVERLAP_CONSTRAINT
from portal.packages import promo, purchases
from portal.practice.details import contact_sentence
from portal.practice.team import join_care_team
from portal.questionnaires.responses import assign_intake_set
from portal.timeutil import existing_local_instant

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
    block, or at the commit), roll everything back and offer the next free times. Any other error in the block
    rolls it back too, so nothing half-written is left for a later commit."""
    try:
        yield
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if NO_OVERLAP_CONSTRAINT not in str(error.orig):
            raise
        raise BookingError(slots.SlotProblem.TAKEN.value, free_times()[:5]) from None
    except BaseException:
        db.session.rollback()
        raise


def _confirmed(booking: Booking, client: User, now: datetime) -> None:
    """What confirming causes, in the caller's transaction: both sides told, and the intake set sent once."""
    assign_intake_set(client, booking.practitioner_id, now.astimezone(ZoneInfo(client.timezone)).date())
    queue_booking_emails(booking, "confirmed")


def _free_times(availability: Availability, duration: timedelta, now: datetime) -> Callable[[], list[datetime]]:
    return lambda: availability.free(duration, now)


def book(
    client: User,
    service: Service,
    start: datetime,
    *,
    needs_payment: bool,
    use_credit: bool = False,
    code: promo.Applied | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book `service` at `start` for `client`. Price and length come from the service, never the form.

    A booking that needs a card payment waits as pending_payment and holds its slot for the rules' hold time; it
    is confirmed by `confirm_payment` when the payment arrives. A booking on a package credit spends one of her
    credits for the service in the same transaction (none left: nothing is booked). Any other booking is
    confirmed at once. Her first booking with a practitioner puts her on that practitioner's care team, in the
    same transaction. While one of her plans that blocks booking has an overdue instalment, she cannot book.
    A promo code (checked by the caller with packages.promo.check) sets the price and counts its use in the same
    transaction; a code used up meanwhile books nothing.
    """
    now = now or utcnow()
    if not service.active:
        raise BookingError("This service can no longer be booked.")
    if use_credit and (needs_payment or code is not None):
        raise ValueError("a session on a package credit needs no payment and takes no code")
    if purchases.booking_blocked(client.id, now.astimezone(ZoneInfo(client.timezone)).date()):
        raise BookingError(
            "A payment of your package plan is overdue. Please pay it (your home page has the link) or contact "
            "the practice, then book again."
        )
    duration = timedelta(minutes=service.duration_minutes)
    availability = load_availability(service.practitioner_id, now)
    problem = availability.problem(start, duration, now)
    if problem is not None:
        raise BookingError(problem.value, availability.free(duration, now)[:5])
    rules = rules_for(service.practitioner_id)
    status = BookingStatus.PENDING_PAYMENT if needs_payment else BookingStatus.CONFIRMED
    hold = now + timedelta(minutes=rules.hold_minutes) if needs_payment else None
    price = code.price_minor if code else service.price_minor
    booking = _new_booking(client, service, start, duration, availability.rules, status, hold, price)
    with _committed_unless_taken(_free_times(availability, duration, now)):
        db.session.add(booking)
        _record(booking, "created", client, None, note="on a package credit" if use_credit else "")
        join_care_team(service.practitioner_id, client.id)
        if use_credit:
            db.session.flush()
            if purchases.spend_credit(booking, now) is None:
                db.session.rollback()
                raise BookingError("You have no sessions of this kind left in your packages.")
        if code is not None:
            db.session.flush()
            try:
                promo.redeem(code, client, booking_id=booking.id)
            except promo.PromoError as error:
                db.session.rollback()
                raise BookingError(str(error)) from None
        if status == BookingStatus.CONFIRMED:
            db.session.flush()  # the e-mails need the booking's id for their links
            _confirmed(booking, client, now)
    return booking


# Booking by the practice's team for a client ------------------------------------------------------------------

SERIES_EVERY_WEEKS = (1, 2, 4)
SERIES_MAX = 26


@dataclass(frozen=True)
class NewClient:
    """A client without an account yet: booking for her makes one and e-mails her a link to choose her password."""

    name: str
    email: str


@dataclass
class Booked:
    """What booking for a client (one session or a series) did: the sessions booked (none: nothing was written)
    and each time that could not be booked, with why, in the words she is told."""

    client: User | None
    booked: list[Booking] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)


# What is done for each session booked, in its transaction: how it is paid (nothing: paid at the session). The
# payments area passes one (ledger.paid_now) so booking does not import payments; a package credit will be one too.
PaidBy = Callable[[Booking], None]


def series_starts(first: datetime, every_weeks: int, count: int, tz: str) -> list[tuple[datetime, datetime | None]]:
    """The wall-clock time of `first` in zone `tz` every `every_weeks` weeks, `count` times, so a series keeps its
    time across clock changes: each as (that local time, its UTC instant or None when the clocks skip it)."""
    zone = ZoneInfo(tz)
    local = first.astimezone(zone)
    starts = []
    for i in range(count):
        day = local.date() + timedelta(weeks=every_weeks * i)
        starts.append((datetime.combine(day, local.time(), tzinfo=zone), existing_local_instant(day, local.time(), tz)))
    return starts


def book_for_client(
    client: User | NewClient,
    service: Service,
    start: datetime,
    actor: User,
    *,
    every_weeks: int = 1,
    count: int = 1,
    paid_by: PaidBy | None = None,
    now: datetime | None = None,
) -> Booked:
    """The practice's team books a session, or a series at the same time every 1, 2 or 4 weeks, for a client (one
    she may see, checked by the caller's loader) or for a new one, whose account is made and invited by e-mail.

    Each time is held to the past, time off, working hours and free time (buffers included), not to the notice,
    horizon or start-time step that clients are; a time that can't be booked is skipped and listed with why. What
    can be booked is booked in one transaction, confirmed and e-mailed like any booking (paid at the session, or
    as `paid_by` records); when nothing can be, nothing is written (not even the new client's account).
    """
    now = now or utcnow()
    if not service.active:
        raise BookingError("This service can no longer be booked.")
    if not (actor.is_assistant or service.practitioner_id == actor.id):
        raise BookingError("You can book only your own services.")
    if every_weeks not in SERIES_EVERY_WEEKS or not 1 <= count <= SERIES_MAX:
        raise BookingError(f"A series repeats every 1, 2 or 4 weeks, at most {SERIES_MAX} times.")
    rules = rules_for(service.practitioner_id)
    duration = timedelta(minutes=service.duration_minutes)
    starts = series_starts(start, every_weeks, count, rules.timezone)
    last = max(instant or asked for asked, instant in starts)
    availability = load_availability(service.practitioner_id, now, until=last + duration + timedelta(days=2))
    result = Booked(client=None)
    wanted: list[datetime] = []
    for asked, instant in starts:
        if instant is None:
            result.skipped.append((asked, "That time does not exist that day: the clocks go forward."))
            continue
        problem = availability.staff_problem(instant, duration, now)
        if problem is not None:
            result.skipped.append((instant, problem.value))
            continue
        wanted.append(instant)
        availability.busy.append(slots.blocked_interval(instant, duration, availability.rules))
    if not wanted:
        return result
    with _committed_unless_taken(_free_times(availability, duration, now)):
        if isinstance(client, NewClient):
            try:
                client = users.invite_client(
                    name=client.name, email=client.email, timezone=rules.timezone, invited_by=actor
                )
            except users.EmailTaken:
                raise BookingError(
                    "There is already an account with this e-mail address: choose her from your clients instead."
                ) from None
        result.client = client
        join_care_team(service.practitioner_id, client.id)
        for at in wanted:
            booking = _new_booking(client, service, at, duration, availability.rules, BookingStatus.CONFIRMED)
            db.session.add(booking)
            _record(booking, "created", actor, None)
            db.session.flush()  # the e-mails and a payment need the booking's id
            if paid_by is not None and booking.price_minor > 0:
                paid_by(booking)
            _confirmed(booking, client, now)
            result.booked.append(booking)
    return result


def _new_booking(
    client: User,
    service: Service,
    start: datetime,
    duration: timedelta,
    rules: slots.Rules,
    status: BookingStatus,
    hold_expires_at: datetime | None = None,
    price_minor: int | None = None,
) -> Booking:
    blocked_from, blocked_until = slots.blocked_interval(start, duration, rules)
    return Booking(
        practitioner_id=service.practitioner_id,
        client_id=client.id,
        service_id=service.id,
        status=status.value,
        starts_at=start,
        ends_at=start + duration,
        blocked_from=blocked_from,
        blocked_until=blocked_until,
        price_minor=service.price_minor if price_minor is None else price_minor,
        currency=service.currency,
        hold_expires_at=hold_expires_at,
    )


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
    booking: Booking,
    actor: User,
    *,
    reason: str = "",
    return_credit: bool | None = None,
    now: datetime | None = None,
    refund: RefundNote | None = None,
) -> Booking:
    """Cancel a booking and tell both sides. A client may cancel only up to the cancellation window before it.
    Refunds follow from payments.refunds.cancel, which calls this first with what they will be (`refund`, said in
    the e-mails).

    A session on a package credit gives the credit back when cancelled before the cancellation window; a later
    cancellation uses it, as the policy says, unless the practice chooses to give it back (`return_credit`)."""
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
    in_time = client_may_change(booking, rules, now)
    if return_credit is None or actor.is_client:
        return_credit = in_time
    if return_credit:
        purchases.give_back_credit(booking)
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
        promo.release(booking_id=booking.id)  # a code's use counts only for a session that goes ahead
        booking.status = BookingStatus.EXPIRED.value
        _record(booking, "expired", None, BookingStatus.PENDING_PAYMENT.value, note="Payment not completed in time")
    db.session.commit()
    return len(expired)


def remind(booking: Booking) -> None:
    """Queue the reminder of a confirmed session, in the caller's transaction (the job that claims it commits)."""
    queue_booking_emails(booking, "reminder")
