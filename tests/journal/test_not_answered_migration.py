"""Migration c05ffee0023: the diary's four scales may be left unanswered; existing values are kept, and the
downgrade writes 0 where nothing was answered."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db

BEFORE = "c00ffee0018"
INSERT = (
    "INSERT INTO diary_entries (client_id, day, headache, intensity, headache_minutes, took_triptan, took_ergot, "
    "took_opioid, took_combination, took_simple, stool_types, bloating, abdominal_pain, note, water_glasses, stress, "
    "all_meals_logged, created_at, updated_at) VALUES (5, :day, 'migraine', {values}, false, false, false, false, "
    "false, '[4]', {gut}, '', 6, 3, false, '2026-11-01 10:00:00+00:00', '2026-11-01 10:00:00+00:00')"
)


@pytest.fixture
def migrating_app(owner_app):
    return owner_app


def _scales():
    return db.session.execute(
        text(
            "SELECT day, intensity, headache_minutes, bloating, abdominal_pain, water_glasses, stress "
            "FROM diary_entries ORDER BY day"
        )
    ).all()


def test_values_survive_both_ways_and_unanswered_becomes_0_going_down(migrating_app):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        db.session.execute(
            text(
                "INSERT INTO users (id, role, email, name, password_hash, timezone, email_verified_at, created_at)"
                " VALUES (5, 'client', 'a@example.com', 'A', 'x', 'Europe/London', :at, :at)"
            ),
            {"at": "2026-11-01 10:00:00+00:00"},
        )
        db.session.execute(text(INSERT.format(values="7, 240", gut="3, 2")), {"day": "2026-11-01"})
        db.session.commit()
    finally:
        upgrade()
    assert [tuple(r)[1:] for r in _scales()] == [(7, 240, 3, 2, 6, 3)]
    db.session.execute(text(INSERT.format(values="NULL, NULL", gut="NULL, NULL")), {"day": "2026-11-02"})
    db.session.execute(
        text(
            "INSERT INTO diary_meals (entry_id, client_id, kind, position, description, created_at, "
            "updated_at) SELECT id, 5, 'lunch', 0, '', created_at, created_at FROM diary_entries"
        )
    )
    db.session.commit()
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        assert [tuple(r)[1:] for r in _scales()] == [(7, 240, 3, 2, 6, 3), (0, 0, 0, 0, 6, 3)]
        assert db.session.execute(text("SELECT count(*) FROM diary_meals")).scalar_one() == 2  # children kept
        with pytest.raises(IntegrityError):  # not null again
            db.session.execute(text(INSERT.format(values="NULL, 0", gut="0, 0")), {"day": "2026-11-03"})
        db.session.rollback()
        with pytest.raises(IntegrityError):  # c00ffee0018's range checks are still there
            db.session.execute(text("UPDATE diary_entries SET stress = 11"))
        db.session.rollback()
        db.session.remove()
        downgrade(revision="b01ffee0015")  # and c00ffee0018's own downgrade can still drop its columns
    finally:
        db.session.remove()
        upgrade()
    assert db.session.execute(text("SELECT count(*) FROM diary_entries")).scalar_one() == 2
