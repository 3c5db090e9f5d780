"""Questionnaire answers are stored encrypted: no answer is readable in the raw row, on either database, and
the migration encrypts answers stored before it (its downgrade gives them back as plain JSON)."""

from __future__ import annotations

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import QuestionnaireResponse

ANSWERS = {"q1": "Red wine on Friday, migraine by Saturday noon", "q2": [0, 2], "9": 1}


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def raw_answers() -> str:
    return db.session.execute(text("SELECT answers FROM questionnaire_responses")).scalar_one()


def test_answers_are_unreadable_at_rest_and_read_back_whole(app, client_user):
    db.session.add(
        QuestionnaireResponse(
            client_id=client_user.id,
            code="custom-1",
            version="1",
            status="submitted",
            answers=ANSWERS,
            submitted_at=utcnow(),
        )
    )
    db.session.commit()
    stored = raw_answers()
    assert stored.startswith("gAAAA") and "Red wine" not in stored and '"q2"' not in stored
    db.session.expire_all()
    assert db.session.execute(db.select(QuestionnaireResponse.answers)).scalar_one() == ANSWERS


def test_the_migration_encrypts_answers_stored_before_it_and_its_downgrade_decrypts_them(app, client_user):
    db.session.add(
        QuestionnaireResponse(client_id=client_user.id, code="phq9", version="1", status="draft", answers=ANSWERS)
    )
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision="a7c0ffee0007")
        plain = raw_answers()  # PostgreSQL hands a json column back parsed, SQLite as text
        assert (plain if isinstance(plain, dict) else json.loads(plain)) == ANSWERS
    finally:
        db.session.remove()  # no open transaction may wait on the upgrade's table lock
        upgrade()
    assert raw_answers().startswith("gAAAA") and "Red wine" not in raw_answers()
    db.session.expire_all()
    assert db.session.execute(db.select(QuestionnaireResponse.answers)).scalar_one() == ANSWERS
