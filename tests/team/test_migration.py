"""Migration abc0ffee0011 on a practice already running: the first practitioner becomes the owner, every client
joins the care team of whoever she booked with (or the owner's), audit rows get their actor's role; and back."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db

BEFORE = "a9c0ffee0009"  # the revision before abc0ffee0011
NOW = "2026-11-20 10:00:00+00:00"


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def _run(sql: str, **params) -> None:
    db.session.execute(text(sql), params)


def _user(user_id: int, role: str) -> None:
    _run(
        "INSERT INTO users (id, role, email, name, password_hash, timezone, email_verified_at, created_at) "
        "VALUES (:id, :role, :email, :name, 'x', 'Europe/London', :at, :at)",
        id=user_id,
        role=role,
        email=f"u{user_id}@example.com",
        name=f"U{user_id}",
        at=NOW,
    )


def _booking(booking_id: int, practitioner_id: int, client_id: int, service_id: int, hour: int) -> None:
    starts, ends = f"2026-11-1{hour} 10:00:00+00:00", f"2026-11-1{hour} 10:30:00+00:00"
    _run(
        "INSERT INTO bookings (id, uid, practitioner_id, client_id, service_id, status, starts_at, ends_at, "
        "blocked_from, blocked_until, price_minor, currency, created_at, updated_at, sequence) "
        "VALUES (:id, :uid, :p, :c, :s, 'completed', :starts, :ends, :starts, :ends, 0, 'GBP', :now, :now, 0)",
        id=booking_id,
        uid=f"uid-{booking_id}",
        p=practitioner_id,
        c=client_id,
        s=service_id,
        starts=starts,
        ends=ends,
        now=NOW,
    )


def test_existing_clients_land_on_the_care_team_of_whoever_they_booked_with(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        _user(1, "practitioner")
        _user(2, "practitioner")
        for client_id in (10, 11, 12):
            _user(client_id, "client")
        for service_id, practitioner_id in ((1, 1), (2, 2)):
            _run(
                "INSERT INTO services (id, practitioner_id, name, description, duration_minutes, price_minor, "
                "currency, active, position, created_at) VALUES (:id, :p, 'S', '', 30, 0, 'GBP', true, 0, :now)",
                id=service_id,
                p=practitioner_id,
                now=NOW,
            )
        _booking(1, 2, 10, 2, 1)  # client 10 with the second practitioner, twice
        _booking(2, 2, 10, 2, 2)
        _booking(3, 1, 11, 1, 3)  # client 11 with the first; client 12 never booked
        _booking(4, 2, 11, 2, 4)  # and with the second
        _run(
            "INSERT INTO audit_events (at, actor_id, client_id, action, what) VALUES (:at, 2, 10, 'view', 'note')",
            at=NOW,
        )
        db.session.commit()
        db.session.remove()
    finally:
        upgrade()
    roles = dict(db.session.execute(text("SELECT id, role FROM users WHERE id IN (1, 2)")).all())
    assert roles == {1: "owner", 2: "practitioner"}
    pairs = sorted(db.session.execute(text("SELECT client_id, practitioner_id FROM care_team")).all())
    assert pairs == [(10, 2), (11, 1), (11, 2), (12, 1)]
    assert db.session.execute(text("SELECT actor_role FROM audit_events")).scalar_one() == "practitioner"
    db.session.remove()

    downgrade(revision=BEFORE)
    try:
        assert db.session.execute(text("SELECT role FROM users WHERE id = 1")).scalar_one() == "practitioner"
        db.session.remove()
    finally:
        upgrade()
