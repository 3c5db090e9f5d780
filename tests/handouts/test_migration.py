"""The migration that encrypts protocols and stored PDFs: its downgrade gives back the plain text and the plain
PDF, and upgrading again encrypts what is stored; on PostgreSQL it also adds (and takes away) the audit trail's
refusal of TRUNCATE."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.extensions import db
from portal.handouts import handouts
from portal.models import Protocol, ProtocolLine, PublishedHandout

REVISION = "aac0ffee0010"


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def _revision_before(revision: str) -> str:
    """The revision this one follows, from the scripts (the chain may be re-ordered when branches merge)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def _raw(sql: str):
    return db.session.execute(text(sql)).scalar_one()


def _has_truncate_trigger() -> bool:
    return (
        db.session.execute(
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_events_no_truncate'")
        ).scalar_one()
        == 1
    )


def test_downgrade_decrypts_protocols_and_pdfs_and_upgrade_encrypts_them_again(app, composed):
    handout = handouts.publish_handout(composed.booking)
    pdf, handout_id = handouts.handout_pdf(handout), handout.id
    summary = db.session.execute(db.select(Protocol.summary)).scalar_one()
    first_title = db.session.execute(db.select(ProtocolLine.title).order_by(ProtocolLine.position)).first()[0]
    postgres = db.engine.dialect.name == "postgresql"
    db.session.remove()
    try:
        downgrade(revision=_revision_before(REVISION))
        assert _raw("SELECT summary FROM protocols") == summary
        assert _raw("SELECT title FROM protocol_lines ORDER BY position LIMIT 1") == first_title
        assert bytes(_raw("SELECT content FROM stored_files")) == pdf
        title_type = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("protocol_lines")}["title"]
        assert getattr(title_type, "length", None) == 120
        if postgres:
            assert not _has_truncate_trigger()
    finally:
        db.session.remove()  # no open transaction may wait on the upgrade's table locks
        upgrade()
    assert _raw("SELECT summary FROM protocols").startswith("gAAAA")
    assert _raw("SELECT title FROM protocol_lines ORDER BY position LIMIT 1").startswith("gAAAA")
    stored = bytes(_raw("SELECT content FROM stored_files"))
    assert stored.startswith(b"gAAAA") and b"%PDF" not in stored
    if postgres:
        assert _has_truncate_trigger()
    db.session.expire_all()
    assert db.session.execute(db.select(Protocol.summary)).scalar_one() == summary
    assert handouts.handout_pdf(db.session.get(PublishedHandout, handout_id)) == pdf
