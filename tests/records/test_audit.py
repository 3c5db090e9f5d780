"""The audit trail: rows are added with who, what and when, read per client, and never changed."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal import audit
from portal.extensions import db
from portal.models import AuditEvent, Role


def test_record_adds_a_row_without_an_actor_outside_a_request(app, client_user):
    audit.record("view", client_user.id, "profile", 7)
    db.session.commit()
    (event,) = audit.events_for_client(client_user.id)
    assert (event.action, event.what, event.what_id, event.actor_id) == ("view", "profile", 7, None)
    assert event.at.tzinfo is not None


def test_record_refuses_an_unknown_action(app, client_user):
    with pytest.raises(ValueError):
        audit.record("peek", client_user.id, "note")


def test_events_come_newest_first_and_only_for_that_client(app, make_user):
    ann, bea = make_user(Role.CLIENT), make_user(Role.CLIENT)
    audit.record("view", ann.id, "profile")
    audit.record("change", ann.id, "profile")
    audit.record("view", bea.id, "profile")
    db.session.commit()
    assert [e.action for e in audit.events_for_client(ann.id)] == ["change", "view"]


def test_the_module_offers_no_way_to_change_or_delete_events():
    public = [name for name in dir(audit) if not name.startswith("_")]
    assert not [
        name
        for name in public
        if any(w in name.lower() for w in ("update", "delete", "remove", "edit", "purge", "clear", "erase"))
    ]


def test_client_id_has_no_foreign_key_so_events_outlive_the_client(app):
    assert not AuditEvent.__table__.c.client_id.foreign_keys


def test_the_database_refuses_to_update_an_audit_row(app, client_user):
    audit.record("view", client_user.id, "profile")
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_events SET action = 'change'"))
        db.session.flush()
    db.session.rollback()
    assert audit.events_for_client(client_user.id)[0].action == "view"


def test_postgresql_refuses_to_delete_an_audit_row(app, client_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps DELETE for the test suite's clean-up; PostgreSQL's trigger refuses it")
    audit.record("view", client_user.id, "profile")
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()
    assert len(audit.events_for_client(client_user.id)) == 1


def test_postgresql_refuses_to_truncate_the_audit_trail_even_for_the_tables_owner(app, client_user, owner_engine):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    audit.record("view", client_user.id, "profile")
    db.session.commit()  # and no open transaction: TRUNCATE would wait for it
    for statement in ("TRUNCATE audit_events", "TRUNCATE users CASCADE"):  # users: audit rows name their actor
        with owner_engine.connect() as owner, pytest.raises(DBAPIError, match="never changed or deleted"):
            owner.execute(text("SET lock_timeout = '10s'"))
            owner.execute(text(statement))
    assert len(audit.events_for_client(client_user.id)) == 1


def test_the_portals_own_database_role_may_not_truncate_the_audit_trail(app, client_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    audit.record("view", client_user.id, "profile")
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("TRUNCATE audit_events"))
    db.session.rollback()
    assert len(audit.events_for_client(client_user.id)) == 1
