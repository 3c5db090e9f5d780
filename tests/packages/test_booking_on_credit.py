"""Booking a session on a package credit, and what cancelling does to the credit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.booking import lifecycle
from portal.booking.bookings import BookingError
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingStatus
from portal.packages import purchases
from tests.packages.conftest import terms
from portal.packages import catalogue


@pytest.fixture
def bought(practice, gut_reset, client_user):
    return purchases.record_purchase(
        purchases.quote(gut_reset, client_user, "", utcnow().date()), client_user, practice.practitioner, utcnow()
    )


def _left(practice, client):
    return purchases.credits_left(client.id, practice.follow_up.id, utcnow())


def test_a_session_on_a_credit_is_confirmed_without_payment_and_uses_one(practice, bought, client_user):
    start = practice.free(practice.follow_up)[0]
    booking = lifecycle.book(client_user, practice.follow_up, start, needs_payment=False, use_credit=True)
    assert booking.status == BookingStatus.CONFIRMED
    assert purchases.credit_of(booking.id) is not None and _left(practice, client_user) == 4


def test_without_a_credit_for_the_service_nothing_is_booked(practice, bought, client_user):
    start = practice.free(practice.discovery)[0]
    with pytest.raises(BookingError, match="no sessions of this kind left"):
        lifecycle.book(client_user, practice.discovery, start, needs_payment=False, use_credit=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 0
    with pytest.raises(ValueError):
        lifecycle.book(client_user, practice.follow_up, start, needs_payment=True, use_credit=True)


def test_cancelling_in_time_gives_the_credit_back(practice, bought, client_user):
    start = practice.free(practice.follow_up)[0]
    booking = lifecycle.book(client_user, practice.follow_up, start, needs_payment=False, use_credit=True)
    lifecycle.cancel(booking, client_user, now=start - timedelta(hours=25))
    assert _left(practice, client_user) == 5 and purchases.credit_of(booking.id) is None


def test_a_late_cancellation_uses_the_credit_unless_the_practice_gives_it_back(practice, bought, client_user):
    starts = practice.free(practice.follow_up)
    late = lifecycle.book(client_user, practice.follow_up, starts[0], needs_payment=False, use_credit=True)
    lifecycle.cancel(late, practice.practitioner, now=starts[0] - timedelta(hours=2))
    assert _left(practice, client_user) == 4 and purchases.credit_of(late.id) is not None
    forgiven = lifecycle.book(client_user, practice.follow_up, starts[8], needs_payment=False, use_credit=True)
    lifecycle.cancel(forgiven, practice.practitioner, return_credit=True, now=starts[8] - timedelta(hours=2))
    assert _left(practice, client_user) == 4 and purchases.credit_of(forgiven.id) is None


def test_a_no_show_uses_the_credit(practice, bought, client_user):
    start = practice.free(practice.follow_up)[0]
    booking = lifecycle.book(client_user, practice.follow_up, start, needs_payment=False, use_credit=True)
    lifecycle.record_outcome(booking, BookingStatus.NO_SHOW, practice.practitioner, now=start + timedelta(hours=1))
    assert _left(practice, client_user) == 4


def test_an_overdue_plan_set_to_block_stops_booking(practice, client_user):
    plan = catalogue.publish(catalogue.create(practice.practitioner, terms(practice, name="Plan")))
    bought_at = utcnow() - timedelta(days=40)
    purchases.record_purchase(
        purchases.quote(plan, client_user, "", bought_at.date()),
        client_user,
        practice.practitioner,
        bought_at,
        block_when_overdue=True,
    )
    start = practice.free(practice.follow_up)[0]
    with pytest.raises(BookingError, match="overdue"):
        lifecycle.book(client_user, practice.follow_up, start, needs_payment=False, use_credit=True)


def test_the_team_books_a_series_on_her_credits_and_nothing_when_too_few_are_left(practice, bought, client_user):
    start = practice.free(practice.follow_up)[0]
    result = lifecycle.book_for_client(
        client_user,
        practice.follow_up,
        start,
        practice.practitioner,
        every_weeks=1,
        count=2,
        paid_by=purchases.paid_with_credit(utcnow()),
    )
    assert len(result.booked) == 2 and _left(practice, client_user) == 3
    later = start + timedelta(weeks=3)
    with pytest.raises(purchases.NoCreditLeft):
        lifecycle.book_for_client(
            client_user,
            practice.follow_up,
            later,
            practice.practitioner,
            every_weeks=1,
            count=4,
            paid_by=purchases.paid_with_credit(utcnow()),
        )
    assert _left(practice, client_user) == 3
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 2


def test_the_cancellation_email_says_the_session_goes_back_to_her_package(app, practice, bought, client_user):
    from portal.payments import refunds
    from tests.conftest import outbox_messages

    start = practice.free(practice.follow_up)[-1]
    booking = lifecycle.book(client_user, practice.follow_up, start, needs_payment=False, use_credit=True)
    before = len(outbox_messages(app))
    refunds.cancel(booking, client_user)
    cancelled = [m for m in outbox_messages(app)[before:] if m["To"].addresses[0].addr_spec == client_user.email]
    text = cancelled[0].get_body(("plain",)).get_content()
    assert "goes back to your package" in text and "nothing to refund" not in text
    assert _left(practice, client_user) == 5
