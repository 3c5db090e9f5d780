"""A practice ready to take bookings: the practitioner, two services, hours every day, default rules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from portal.booking import bookings
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import BookingRules, Role, Service, User
from portal.practice import settings

PRACTICE_TZ = "Europe/London"


@dataclass
class Practice:
    practitioner: User
    discovery: Service  # 15 minutes, free
    follow_up: Service  # 45 minutes, £85
    rules: BookingRules

    def free(self, service: Service, now: datetime | None = None) -> list[datetime]:
        now = now or utcnow()
        availability = bookings.load_availability(self.practitioner.id, PRACTICE_TZ, now)
        return availability.free(timedelta(minutes=service.duration_minutes), now)


@pytest.fixture
def practice(app, make_user) -> Practice:
    maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Practitioner")
    discovery = settings.save_service(None, maya, name="Discovery call", description="A free first chat.",
                                      duration_minutes=15, price_minor=0, currency="GBP", active=True)
    follow_up = settings.save_service(None, maya, name="Follow-up", description="", duration_minutes=45,
                                      price_minor=8500, currency="GBP", active=True)
    for weekday in range(7):
        settings.add_working_range(maya, weekday, time(9), time(17))
    rules = bookings.rules_for(maya.id, PRACTICE_TZ)
    db.session.commit()
    return Practice(maya, discovery, follow_up, rules)
