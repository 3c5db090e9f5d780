"""Migration b03ffee0017: services a practice already has happen in person, with no room link or address of their
own; the new location kind is CHECKed by the database; and the demo has one service of each kind."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.demo import DEMO_PRACTITIONER, seed_demo
from portal.extensions import db
from portal.models import BookingRules, Service, User

BEFORE = "b02ffee0016"
NOW = "2026-11-20 10:00:00+00:00"


@pytest.fixture
def owner(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def test_existing_services_become_in_person_and_the_kind_is_checked(owner):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        db.session.execute(
            text(
                "INSERT INTO users (id, role, email, name, password_hash, timezone, email_verified_at, created_at) "
                "VALUES (1, 'owner', 'maya@example.com', 'Maya', 'x', 'Europe/London', :at, :at)"
            ),
            {"at": NOW},
        )
        db.session.execute(
            text(
                "INSERT INTO services (id, practitioner_id, name, description, duration_minutes, price_minor, "
                "currency, active, position, created_at) VALUES (1, 1, 'Follow-up', '', 45, 8500, 'GBP', :t, 0, :at)"
            ),
            {"at": NOW, "t": True},
        )
        db.session.commit()
        upgrade()
        row = db.session.execute(text("SELECT location_kind, video_url, address FROM services")).one()
        assert tuple(row) == ("in_person", "", "")
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE services SET location_kind = 'teleport'"))
            db.session.commit()
    finally:
        db.session.rollback()
        db.session.remove()
        downgrade(revision=BEFORE)
        db.session.execute(text("DELETE FROM services"))
        db.session.execute(text("DELETE FROM users"))
        db.session.commit()
        upgrade()


def test_the_demo_has_a_video_service_with_a_jitsi_room_and_one_in_person_at_the_address(app):
    seed_demo("Europe/London", "GBP")
    maya = db.session.execute(db.select(User).filter_by(email=DEMO_PRACTITIONER[1])).scalar_one()
    kinds = {
        s.name: (s.location_kind, s.video_url)
        for s in db.session.execute(db.select(Service).filter_by(practitioner_id=maya.id)).scalars()
    }
    assert kinds["Follow-up"][0] == "video" and kinds["Follow-up"][1].startswith("https://meet.jit.si/")
    assert kinds["Initial consultation"] == ("in_person", "") and kinds["Discovery call"] == ("phone", "")
    assert db.session.get(BookingRules, maya.id).address.startswith("The Garden Rooms")
