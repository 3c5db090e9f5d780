"""The practitioner's private calendar feed: a secret URL any calendar app can subscribe to."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import selectinload

from portal.booking.calendar import feed_ics
from portal.booking.notify import PRODUCT_ID, calendar_event
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingRules, BookingStatus
from portal.models.booking import new_feed_token

FEED_PAST_DAYS = 90


def feed_for_token(token: str) -> bytes | None:
    """The feed behind a token, or None when no practitioner has that token (or it was revoked)."""
    if len(token) < 20:
        return None
    rules = db.session.execute(db.select(BookingRules).filter_by(calendar_feed_token=token)).scalar_one_or_none()
    if rules is None:
        return None
    items = db.session.execute(
        db.select(Booking)
        .filter(
            Booking.practitioner_id == rules.practitioner_id,
            Booking.status != BookingStatus.EXPIRED,
            Booking.starts_at >= utcnow() - timedelta(days=FEED_PAST_DAYS),
        )
        .options(selectinload(Booking.client), selectinload(Booking.service), selectinload(Booking.practitioner))
        .order_by(Booking.starts_at)
    ).scalars()
    return feed_ics([calendar_event(b, for_practitioner=True) for b in items], "Practice bookings", PRODUCT_ID)


def renew_feed_token(rules: BookingRules) -> str:
    """A new secret feed address; the old one stops working at once."""
    rules.calendar_feed_token = new_feed_token()
    db.session.commit()
    return rules.calendar_feed_token


def revoke_feed_token(rules: BookingRules) -> None:
    rules.calendar_feed_token = None
    db.session.commit()
