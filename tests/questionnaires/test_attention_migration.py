"""Migration afc0ffee0014: a practice already running gets an attention row for every client, due at once, and
the next `flask jobs run` computes them."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs.runner import run_jobs
from portal.models import AttentionSummary, QuestionnaireResponse
from portal.questionnaires import attention

BEFORE = "aec0ffee0013"
NOW = "2026-11-20 10:00:00+00:00"


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def test_every_client_gets_a_row_that_the_next_job_run_computes(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        for user_id, role in ((1, "practitioner"), (2, "client"), (3, "client")):
            db.session.execute(
                text(
                    "INSERT INTO users (id, role, email, name, password_hash, timezone, email_verified_at, created_at)"
                    " VALUES (:id, :role, :email, :name, 'x', 'Europe/London', :at, :at)"
                ),
                {"id": user_id, "role": role, "email": f"u{user_id}@example.com", "name": f"U{user_id}", "at": NOW},
            )
        answered = dict(code="phq9", version="1", status="submitted", answers={"9": 1}, total=3, band="none-minimal")
        db.session.execute(
            db.insert(QuestionnaireResponse.__table__).values(
                client_id=2,
                subscores={},
                flags=["self_harm_thoughts"],
                started_at=utcnow(),
                submitted_at=utcnow(),
                **answered,
            )
        )
        db.session.commit()
        upgrade()
        rows = db.session.execute(db.select(AttentionSummary).order_by(AttentionSummary.client_id)).scalars().all()
        assert [(r.client_id, r.flags) for r in rows] == [(2, None), (3, None)]
        assert all(r.fresh_until <= utcnow() for r in rows)
        assert run_jobs()["attention rows brought up to date"] == 2
        shown = attention.listing(utcnow(), lambda column: db.true(), limit=10)
        assert [(c.client_id, [f.kind for f in c.flags]) for c in shown.clients] == [(2, ["alert", "new"])]
    finally:
        db.session.rollback()
        db.session.remove()
        downgrade(revision=BEFORE)
        db.session.execute(text("DELETE FROM questionnaire_responses"))
        db.session.execute(text("DELETE FROM users"))
        db.session.commit()
        upgrade()
