"""Booking, moving, cancelling and marking sessions, called directly as the views call them."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy.exc import IntegrityError

from portal.booking import bookings, lifecycle
from portal.booking.bookings import BookingError
from portal.extensions import db
from portal.models import Booking, BookingEvent, BookingStatus, Role
from portal.models.booking import NO_OVERLAP_CONSTRAINT
from portal.practice import settings
from tests.conftest import PRACTICE_TZ

# A Monday morning well in the future, so every test sees the same diary.
NOW = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2030, 1, 8, 10, 0, tzinfo=UTC)  # London is on UTC in January


def book(client, service, start, **kwargs):
    return lifecycle.book(client, service, start, now=NOW, **{"needs_payment": False, **kwargs})


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_booking_takes_its_length_and_price_from_the_service(practice, client_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.ends_at - booking.starts_at == timedelta(minutes=45)
    assert (booking.price_minor, booking.currency) == (8500, "GBP")
    # the default rules keep 15 minutes free after each session
    assert (booking.blocked_from, booking.blocked_until) == (TUESDAY_10, TUESDAY_10 + timedelta(minutes=60))
    events = db.session.execute(db.select(BookingEvent).filter_by(booking_id=booking.id)).scalars().all()
    assert [(e.action, e.to_status, e.actor_id) for e in events] == [("created", "confirmed", client_user.id)]


def test_a_paid_booking_waits_for_payment_and_holds_its_slot(practice, client_user, make_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10, needs_payment=True)
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert booking.hold_expires_at == NOW + timedelta(minutes=practice.rules.hold_minutes)
    with pytest.raises(BookingError, match="just taken"):
        book(make_user(), practice.follow_up, TUESDAY_10)


def test_the_same_time_twice_is_refused_with_the_next_free_times(practice, client_user, make_user):
    book(client_user, practice.follow_up, TUESDAY_10)
    with pytest.raises(BookingError) as refused:
        book(make_user(), practice.follow_up, TUESDAY_10 + timedelta(minutes=15))
    assert str(refused.value) == "This time was just taken."
    assert refused.value.next_free and all(
        start >= TUESDAY_10 + timedelta(hours=1) or start < TUESDAY_10 for start in refused.value.next_free
    )
    assert count(Booking) == 1 and count(BookingEvent) == 1


def _overlapping_row(practice, client, start, status="confirmed") -> Booking:
    return Booking(
        practitioner_id=practice.practitioner.id,
        client_id=client.id,
        service_id=practice.follow_up.id,
        status=status,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        blocked_from=start,
        blocked_until=start + timedelta(minutes=45),
        price_minor=0,
        currency="GBP",
    )


def test_the_database_itself_refuses_overlapping_bookings(practice, client_user):
    """Even code that skips every check in Python can't double-book."""
    book(client_user, practice.follow_up, TUESDAY_10)
    db.session.add(_overlapping_row(practice, client_user, TUESDAY_10 + timedelta(minutes=30)))
    with pytest.raises(IntegrityError, match=NO_OVERLAP_CONSTRAINT):
        db.session.commit()
    db.session.rollback()
    assert count(Booking) == 1


def test_cancelled_bookings_do_not_block_but_reviving_one_onto_a_taken_time_is_refused(practice, client_user):
    book(client_user, practice.follow_up, TUESDAY_10)
    ghost = _overlapping_row(practice, client_user, TUESDAY_10, status="cancelled")
    db.session.add(ghost)
    db.session.commit()  # a cancelled booking may share the time
    ghost.status = "confirmed"
    with pytest.raises(IntegrityError, match=NO_OVERLAP_CONSTRAINT):
        db.session.commit()
    db.session.rollback()


def test_touching_sessions_are_fine_and_other_practitioners_have_their_own_diary(practice, client_user, make_user):
    first = book(client_user, practice.follow_up, TUESDAY_10)
    book(make_user(), practice.discovery, first.blocked_until)  # starts exactly where the first one's buffer ends
    other = make_user(Role.PRACTITIONER)
    db.session.add(
        Booking(
            practitioner_id=other.id,
            client_id=client_user.id,
            service_id=practice.follow_up.id,
            status="confirmed",
            starts_at=TUESDAY_10,
            ends_at=TUESDAY_10 + timedelta(hours=1),
            blocked_from=TUESDAY_10,
            blocked_until=TUESDAY_10 + timedelta(hours=1),
            price_minor=0,
            currency="GBP",
        )
    )
    db.session.commit()
    assert count(Booking) == 3


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (NOW - timedelta(hours=1), "already passed"),
        (NOW + timedelta(hours=2), "too soon"),  # inside the 12 hours' notice
        (TUESDAY_10 + timedelta(minutes=7), "not one of the practice's bookable times"),  # off the 15-minute step
        (datetime(2030, 1, 8, 20, 0, tzinfo=UTC), "not one of the practice's bookable times"),  # after hours
        (NOW + timedelta(days=90), "further ahead"),
    ],
)
def test_bad_times_are_refused_and_change_nothing(practice, client_user, start, message):
    with pytest.raises(BookingError, match=message):
        book(client_user, practice.follow_up, start)
    assert count(Booking) == 0 and count(BookingEvent) == 0


def test_time_off_closes_the_day(practice, client_user):
    settings.add_time_off(practice.practitioner, TUESDAY_10.date(), None, "Conference")
    with pytest.raises(BookingError, match="bookable times"):
        book(client_user, practice.follow_up, TUESDAY_10)
    assert not [s for s in practice.free(practice.follow_up, NOW) if s.date() == TUESDAY_10.date()]


def test_an_inactive_service_cannot_be_booked(practice, client_user):
    practice.follow_up.active = False
    db.session.commit()
    with pytest.raises(BookingError, match="can no longer be booked"):
        book(client_user, practice.follow_up, TUESDAY_10)
    assert bookings.bookable_service(practice.follow_up.id) is None
    assert count(Booking) == 0


def test_moving_a_session_raises_its_sequence_and_keeps_history(practice, client_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    later = TUESDAY_10 + timedelta(days=1, hours=2)
    lifecycle.move(booking, later, client_user, now=NOW)
    assert (booking.starts_at, booking.sequence) == (later, 1)
    moved = bookings.booking_with_history(booking.id).events[-1]
    assert (moved.action, moved.old_starts_at, moved.new_starts_at) == ("rescheduled", TUESDAY_10, later)


def test_moving_within_its_own_time_is_allowed(practice, client_user):
    """A session does not collide with itself when moved by fifteen minutes."""
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    lifecycle.move(booking, TUESDAY_10 + timedelta(minutes=15), client_user, now=NOW)
    assert booking.starts_at == TUESDAY_10 + timedelta(minutes=15)


def test_clients_can_not_change_a_session_inside_the_cancellation_window(practice, client_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    late = TUESDAY_10 - timedelta(hours=23)
    with pytest.raises(BookingError, match="up to 24 hours before"):
        lifecycle.cancel(booking, client_user, now=late)
    with pytest.raises(BookingError, match="up to 24 hours before"):
        lifecycle.move(booking, TUESDAY_10 + timedelta(days=1), client_user, now=late)
    assert not bookings.client_may_change(booking, practice.rules, late)
    assert bookings.client_may_change(booking, practice.rules, TUESDAY_10 - timedelta(hours=24))
    # the practitioner can still cancel
    lifecycle.cancel(booking, practice.practitioner, now=late)
    assert booking.status == BookingStatus.CANCELLED


def test_the_practitioner_may_move_outside_her_hours_but_not_onto_another_session(practice, client_user, make_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    other = book(make_user(), practice.follow_up, TUESDAY_10 + timedelta(hours=2))
    evening = datetime(2030, 1, 8, 19, 0, tzinfo=UTC)
    lifecycle.move(booking, evening, practice.practitioner, now=NOW)
    assert booking.starts_at == evening
    with pytest.raises(BookingError, match="just taken"):
        lifecycle.move(booking, other.starts_at, practice.practitioner, now=NOW)
    db.session.refresh(booking)
    assert booking.starts_at == evening and booking.sequence == 1


def test_cancelling_twice_says_so_and_frees_the_time(practice, client_user, make_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    lifecycle.cancel(booking, client_user, reason="Feeling better", now=NOW)
    assert (booking.status, booking.sequence) == (BookingStatus.CANCELLED, 1)
    with pytest.raises(BookingError, match="already cancelled"):
        lifecycle.cancel(booking, client_user, now=NOW)
    assert count(BookingEvent) == 2
    assert book(make_user(), practice.follow_up, TUESDAY_10).status == BookingStatus.CONFIRMED


def test_completed_and_no_show_only_once_the_session_has_started(practice, client_user):
    booking = book(client_user, practice.follow_up, TUESDAY_10)
    with pytest.raises(BookingError, match="once it has started"):
        lifecycle.record_outcome(booking, BookingStatus.COMPLETED, practice.practitioner, now=NOW)
    lifecycle.record_outcome(
        booking, BookingStatus.NO_SHOW, practice.practitioner, now=TUESDAY_10 + timedelta(minutes=5)
    )
    lifecycle.record_outcome(
        booking, BookingStatus.COMPLETED, practice.practitioner, now=TUESDAY_10 + timedelta(hours=1)
    )
    assert booking.status == BookingStatus.COMPLETED
    with pytest.raises(BookingError, match="already marked"):
        lifecycle.record_outcome(
            booking, BookingStatus.COMPLETED, practice.practitioner, now=TUESDAY_10 + timedelta(hours=1)
        )
    with pytest.raises(BookingError, match="no longer active"):
        lifecycle.cancel(booking, practice.practitioner, now=NOW)


def test_unpaid_holds_expire_and_free_their_time(practice, client_user, make_user):
    held = book(client_user, practice.follow_up, TUESDAY_10, needs_payment=True)
    assert lifecycle.expire_holds(NOW + timedelta(minutes=14)) == 0
    assert lifecycle.expire_holds(NOW + timedelta(minutes=15)) == 1
    db.session.refresh(held)
    assert held.status == BookingStatus.EXPIRED
    assert book(make_user(), practice.follow_up, TUESDAY_10).status == BookingStatus.CONFIRMED


def test_agenda_and_client_lists_show_the_right_bookings(practice, client_user, make_user):
    mine = book(client_user, practice.follow_up, TUESDAY_10)
    theirs = book(make_user(), practice.discovery, TUESDAY_10 + timedelta(days=1))
    assert bookings.client_bookings(client_user.id, NOW) == ([mine], [])  # upcoming, past
    start, end = bookings.local_day_bounds(TUESDAY_10.date(), PRACTICE_TZ)
    assert [b.id for b in bookings.agenda(practice.practitioner.id, start, end)] == [mine.id]
    week = bookings.agenda(practice.practitioner.id, start, end + timedelta(days=6))
    assert [b.id for b in week] == [mine.id, theirs.id]


def test_local_day_bounds_follow_the_clocks():
    start, end = bookings.local_day_bounds(datetime(2026, 3, 29).date(), "Europe/London")
    assert end - start == timedelta(hours=23)
    start, end = bookings.local_day_bounds(datetime(2026, 10, 25).date(), "Europe/London")
    assert end - start == timedelta(hours=25)
