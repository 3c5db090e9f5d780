"""Erasing a client: her health data and account go; what the law makes the practice keep stays, stripped.

Every table with her rows (found from the schema, so later tables are included) is emptied of them, children
first, except the KEPT tables: bookings and their history, payments and refunds, package purchases with their
credits, instalments and promo-code uses (accounting records) and
the audit trail. Kept rows lose their free text; the user row stays, anonymised, so their foreign keys hold.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, update

from portal import audit
from portal.accounts.passwords import hash_password
from portal.crypto import EncryptedText
from portal.db_types import affected_rows
from portal.extensions import db
from portal.models import Role, User
from portal.records.ownership import owned_tables
from portal.handouts.handouts import published_handouts
from portal.handouts.storage import get_storage

ERASED_NAME = "Erased client"
KEPT_TABLES = frozenset(
    {
        "bookings",
        "booking_events",
        "payments",
        "refunds",
        "audit_events",
        "sent_notifications",
        # What she bought and paid, and which sessions it covered: accounting records too (no free text).
        "package_purchases",
        "package_credits",
        "package_instalments",
        "promo_redemptions",
    }
)
# Free text in kept rows that may hold what she or the practitioner wrote about her.
STRIPPED_COLUMNS = {"booking_events": ("note",), "payments": ("note", "failure_message"), "refunds": ("reason",)}


class NotAClient(ValueError):
    """Only a client's account can be erased."""


def confirmation_matches(client: User, typed: str) -> bool:
    """The typed confirmation is her e-mail address (any case, spaces trimmed)."""
    return secrets.compare_digest(typed.strip().lower().encode(), client.email.lower().encode())


def _delete_stored_handouts(client_id: int) -> None:
    """Her handout PDFs, wherever the storage backend keeps them."""
    storage = get_storage()
    for handout in published_handouts(client_id):
        storage.delete(handout.storage_key)


def erase_client(client: User) -> dict[str, int]:
    """Remove her data and anonymise her account; rows removed per table. The caller commits."""
    if client.role != Role.CLIENT:
        raise NotAClient()
    client_id = client.id
    _delete_stored_handouts(client_id)
    tables = owned_tables(client_id)
    removed: dict[str, int] = {}
    for item in reversed(tables):  # children before parents
        if item.table.name in KEPT_TABLES:
            continue
        result = db.session.execute(delete(item.table).where(item.condition))
        removed[item.table.name] = affected_rows(result)
    for item in tables:
        if item.table.name not in KEPT_TABLES:
            continue
        blank = {name: "" for name in STRIPPED_COLUMNS.get(item.table.name, ())}
        blank.update({c.name: "" for c in item.table.columns if isinstance(c.type, EncryptedText)})
        if blank:
            db.session.execute(update(item.table).where(item.condition).values(**blank))

    db.session.expire_all()  # drop loaded copies of the rows just removed or stripped
    client.name = ERASED_NAME
    client.email = f"erased-{client_id}-{secrets.token_hex(6)}@erased.invalid"
    client.password_hash = hash_password(secrets.token_urlsafe(32))  # a password nobody knows
    # Her login sessions (user_sessions, found by user_id) were deleted above, which logs her out everywhere.
    audit.record("erase", client_id, "client", client_id)
    return removed
