"""The audit trail: append-only rows saying who did what to which client's health data, and when.

This module only adds and reads; nothing in the portal updates or deletes an audit row.
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.db_types import utcnow
from portal.extensions import db
from portal.models.records import AUDIT_ACTIONS, AuditEvent

__all__ = ["AUDIT_ACTIONS", "events_for_client", "record"]


def record(action: str, client_id: int | None, what: str, what_id: int | None = None) -> None:
    """Add one audit row to the session (the caller commits). `what` is a kind ("note"), never the data."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor_id = actor_role = None
    if has_request_context() and current_user.is_authenticated:
        actor_id, actor_role = current_user.id, str(current_user.role)
    db.session.add(
        AuditEvent(
            at=utcnow(),
            actor_id=actor_id,
            actor_role=actor_role,
            client_id=client_id,
            action=action,
            what=what[:40],
            what_id=what_id,
        )
    )


def events_for_client(client_id: int, limit: int | None = None) -> list[AuditEvent]:
    """The client's audit trail, newest first, with each actor loaded."""
    query = (
        db.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .filter_by(client_id=client_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())
