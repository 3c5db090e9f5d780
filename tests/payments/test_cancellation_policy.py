"""payments/refunds.cancel: the cancellation policy, one call for either role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.booking import lifecycle
from portal.booking.bookings import BookingError
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import BookingStatus, PaymentMethod, Refund, Role, User
from portal.payments import ledger, refunds


@pytest.fixture
def clara(make_user) -> User:
    return make_user(Role.CLIENT, email="clara@example.com")


def paid_session(practice, clara, days_away: float):
    """A follow-up about `days_away` from now, paid £85 in cash."""
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=days_away)][0]
    booking = lifecycle.book(clara, practice.follow_up, start, needs_payment=False)
    ledger.record_manual_payment(booking, 8500, PaymentMethod.CASH, "", practice.practitioner)
    return booking


def refunds_made() -> list[tuple[int, str]]:
    return [(r.amount_minor, r.status) for r in db.session.execute(db.select(Refund)).scalars()]


def test_the_client_cancelling_within_the_policy_gets_everything_back(practice, clara):
    booking = paid_session(practice, clara, days_away=3)
    done = refunds.cancel(booking, clara, reason="Feeling better")
    assert (done.refunded_minor, done.refund_problem) == (8500, "")
    assert booking.status == BookingStatus.CANCELLED
    assert refunds_made() == [(8500, "succeeded")]


def test_the_practice_cancelling_refunds_nothing_by_itself(practice, clara):
    booking = paid_session(practice, clara, days_away=3)
    done = refunds.cancel(booking, practice.practitioner, reason="Unwell")
    assert done.refunded_minor == 0 and booking.status == BookingStatus.CANCELLED
    assert refunds_made() == []


def test_the_client_inside_the_window_can_neither_cancel_nor_be_refunded(practice, clara):
    practice.rules.min_notice_minutes = 0  # so a session inside the 24-hour window can be booked at any hour
    db.session.commit()
    booking = paid_session(practice, clara, days_away=0)  # the next free time: at most 16 hours away
    assert booking.starts_at < utcnow() + timedelta(hours=practice.rules.cancellation_window_hours)
    with pytest.raises(BookingError, match="24 hours"):
        refunds.cancel(booking, clara)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and refunds_made() == []


def test_the_assistant_cancelling_refunds_nothing_either(practice, clara, make_user):
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    booking = paid_session(practice, clara, days_away=3)
    assert refunds.cancel(booking, desk).refunded_minor == 0 and refunds_made() == []
