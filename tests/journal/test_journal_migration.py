"""Migration c00ffee0018: the practice starts with the built-in trigger list, and existing diary days keep
their values with the new measures not answered."""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal.crypto import encrypt_text
from portal.extensions import db
from portal.models import BUILTIN_TAGS, DiaryEntry, TriggerTag

BEFORE = "b01ffee0015"


def test_the_migrated_database_holds_the_builtin_trigger_list_in_order(app):
    rows = db.session.execute(select(TriggerTag).order_by(TriggerTag.position)).scalars().all()
    assert [(t.code, t.label, t.tag_group) for t in rows] == list(BUILTIN_TAGS)
    assert all(t.builtin and t.archived_at is None for t in rows)


@pytest.fixture
def migrating_app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def test_an_existing_day_keeps_its_values_and_answers_none_of_the_new_questions(migrating_app):
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
        db.session.execute(
            text(
                "INSERT INTO diary_entries (client_id, day, headache, intensity, headache_minutes, took_triptan, "
                "took_ergot, took_opioid, took_combination, took_simple, stool_types, bloating, abdominal_pain, "
                "note, created_at, updated_at) VALUES (5, '2026-11-01', 'migraine', 7, 240, true, false, false, "
                "false, false, '[4]', 3, 2, :note, '2026-11-01 10:00:00+00:00', '2026-11-01 10:00:00+00:00')"
            ),
            {"note": encrypt_text("slept badly")},
        )
        db.session.commit()
    finally:
        upgrade()
    entry = db.session.execute(select(DiaryEntry)).scalar_one()
    assert (entry.day, entry.headache, entry.intensity, entry.bloating) == (date(2026, 11, 1), "migraine", 7, 3)
    assert (entry.water_glasses, entry.sleep_minutes, entry.sleep_quality, entry.stress, entry.period) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert entry.all_meals_logged is False
    assert entry.note == "slept badly"
