"""A practitioner, her client (on her care team through a past session) and the trigger list's dairy tag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, Challenge, Role, TriggerTag, User


@dataclass
class Case:
    practitioner: User
    client: User
    booking: Booking  # her past follow-up
    dairy: TriggerTag
    today: date  # the client's


@pytest.fixture
def case(practice, make_user, make_booking) -> Case:
    client = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
    booking = make_booking(client, in_days=-7, status="completed")
    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one()
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    return Case(practice.practitioner, client, booking, dairy, today)


def add_challenge(case: Case, starts_days_ago: int, **values) -> Challenge:
    """A challenge row that started `starts_days_ago` days before her today (the domain refuses past starts)."""
    fields = {
        "client_id": case.client.id,
        "practitioner_id": case.practitioner.id,
        "tag_id": case.dairy.id,
        "title": "dairy",
        "eliminate_days": 21,
        "reintroduce_days": 3,
        "watch_days": 4,
        "starts_on": case.today - timedelta(days=starts_days_ago),
        "status": "active",
        "conclusion": "",
    }
    challenge = Challenge(**(fields | values))
    db.session.add(challenge)
    db.session.commit()
    return challenge
