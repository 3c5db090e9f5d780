"""Migration aec0ffee0013: every practitioner of a practice already running gets booking rules (the defaults, in
her own zone), and rules she had are kept."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db

BEFORE = "adc0ffee0012"
NOW = "2026-11-20 10:00:00+00:00"


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def _user(user_id: int, role: str, timezone: str) -> None:
    db.session.execute(
        text(
            "INSERT INTO users (id, role, email, name, password_hash, timezone, email_verified_at, created_at) "
            "VALUES (:id, :role, :email, :name, 'x', :tz, :at, :at)"
        ),
        {
            "id": user_id,
            "role": role,
            "email": f"u{user_id}@example.com",
            "name": f"U{user_id}",
            "tz": timezone,
            "at": NOW,
        },
    )


def test_practitioners_without_rules_get_the_defaults_in_their_own_zone(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        _user(1, "owner", "Europe/London")
        _user(2, "practitioner", "Asia/Tokyo")
        _user(3, "assistant", "Europe/London")
        _user(4, "client", "Europe/London")
        db.session.execute(
            text(
                "INSERT INTO booking_rules (practitioner_id, timezone, buffer_before_minutes, buffer_after_minutes, "
                "min_notice_minutes, horizon_days, slot_step_minutes, cancellation_window_hours, hold_minutes, "
                "reminder_hours, intake_codes) VALUES (1, 'Europe/Paris', 5, 10, 60, 30, 30, 48, 20, 12, '[\"hit6\"]')"
            )
        )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text(
                "SELECT practitioner_id, timezone, buffer_after_minutes, cancellation_window_hours FROM booking_rules "
                "ORDER BY practitioner_id"
            )
        ).all()
        assert [tuple(r) for r in rows] == [(1, "Europe/Paris", 10, 48), (2, "Asia/Tokyo", 15, 24)]
    finally:
        db.session.rollback()
        db.session.remove()
        downgrade(revision=BEFORE)  # later migrations' rows (a client's attention row) go with their tables
        db.session.execute(text("DELETE FROM booking_rules"))
        db.session.execute(text("DELETE FROM users"))
        db.session.commit()
        upgrade()
