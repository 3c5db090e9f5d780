"""Migration c07ffee0025: the challenge tables come and go cleanly, and the database itself holds the limits."""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db

BEFORE = "c00ffee0018"


@pytest.fixture
def migrating_app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_downgrade_drops_the_tables_and_upgrade_brings_them_back(migrating_app):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        assert not {"challenges", "challenge_days"} & _tables()
    finally:
        upgrade()
    assert {"challenges", "challenge_days"} <= _tables()


@pytest.mark.parametrize(
    ("column", "value"), [("eliminate_days", 6), ("eliminate_days", 43), ("reintroduce_days", 8), ("watch_days", 0)]
)
def test_the_database_refuses_lengths_outside_the_limits(app, make_user, column, value):
    client = make_user()
    lengths = {"eliminate_days": 21, "reintroduce_days": 3, "watch_days": 4} | {column: value}
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(
                "INSERT INTO challenges (client_id, practitioner_id, title, eliminate_days, reintroduce_days, "
                "watch_days, starts_on, status, conclusion, created_at) VALUES (:c, :c, 'x', :e, :r, :w, :d, "
                "'active', '', :d)"
            ),
            {
                "c": client.id,
                "e": lengths["eliminate_days"],
                "r": lengths["reintroduce_days"],
                "w": lengths["watch_days"],
                "d": date(2026, 3, 2),
            },
        )
        db.session.flush()
    db.session.rollback()
