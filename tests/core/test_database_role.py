"""On PostgreSQL the portal connects as a role that reads and writes rows but owns nothing
(scripts/postgres-app-role.sql, as in production): it cannot alter, drop or empty a table, nor drop or switch
off a trigger, so the audit trail's protection cannot be undone through the portal's own connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from tests.conftest import TEST_APP_ROLE

INSUFFICIENT_PRIVILEGE = "42501"  # SQLSTATE for "permission denied" and "must be owner"


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles: the app and the migrations share one file")


def test_the_app_is_a_role_that_owns_no_table_and_is_not_a_superuser(app, postgres):
    assert db.session.execute(text("SELECT current_user")).scalar_one() == TEST_APP_ROLE
    owned = db.session.execute(
        text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
    ).scalar_one()
    assert owned == 0
    superuser, create_role, create_db = db.session.execute(
        text("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert not (superuser or create_role or create_db)


def test_it_may_read_and_write_the_rows_of_every_table_and_use_every_sequence(app, postgres):
    for table in db.metadata.sorted_tables:
        assert db.session.execute(
            text("SELECT has_table_privilege(current_user, :table, 'SELECT, INSERT, UPDATE, DELETE')"),
            {"table": table.name},
        ).scalar_one(), table.name
    sequences = (
        db.session.execute(
            text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'")
        )
        .scalars()
        .all()
    )
    assert sequences
    for sequence in sequences:
        assert db.session.execute(
            text("SELECT has_sequence_privilege(current_user, :seq, 'USAGE')"), {"seq": sequence}
        ).scalar_one(), sequence


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate",
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
        "ALTER TABLE notes ADD COLUMN copied_out text",
        "ALTER TABLE audit_events OWNER TO CURRENT_USER",
        "DROP TABLE audit_events",
        "DROP TABLE diary_entries CASCADE",
        "TRUNCATE audit_events",
        "TRUNCATE diary_entries",
        "CREATE TABLE stash (body text)",
        "DROP FUNCTION audit_events_refuse_change() CASCADE",
    ],
)
def test_it_cannot_change_the_schema_or_the_triggers(app, postgres, statement):
    with pytest.raises(DBAPIError) as refused:
        db.session.execute(text(statement))
    db.session.rollback()
    assert refused.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE, refused.value.orig


def test_tables_made_by_later_migrations_get_the_same_rights(app, postgres, owner_engine):
    """The default privileges of the role script: a table the owner creates later is usable straight away."""
    with owner_engine.begin() as conn:
        conn.execute(text("CREATE TABLE later_table (id serial PRIMARY KEY, body text)"))
    try:
        db.session.execute(text("INSERT INTO later_table (body) VALUES ('x')"))
        assert db.session.execute(text("SELECT body FROM later_table")).scalar_one() == "x"
        db.session.rollback()
    finally:
        db.session.rollback()
        with owner_engine.begin() as conn:
            conn.execute(text("DROP TABLE later_table"))
