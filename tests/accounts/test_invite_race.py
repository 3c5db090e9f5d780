"""A new client's address registered by someone else between the check and the write is refused in words, not
with a server error, and nothing of the booking is kept."""

from __future__ import annotations

import pytest

from portal.accounts import users
from portal.booking import lifecycle
from portal.booking.bookings import BookingError
from portal.extensions import db
from portal.models import Booking, User


def test_an_address_taken_in_the_meantime_refuses_the_booking_for_a_new_client(practice, make_user, monkeypatch):
    make_user(email="new@example.com")
    monkeypatch.setattr(users, "find_user_by_email", lambda email: None)  # as if she signed up a moment later
    start = practice.free(practice.follow_up)[0]
    with pytest.raises(BookingError, match="already an account"):
        lifecycle.book_for_client(
            lifecycle.NewClient("New Client", "new@example.com"), practice.follow_up, start, practice.practitioner
        )
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(User).filter_by(email="new@example.com")) == 1
