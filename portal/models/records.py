"""Health records: the client's profile and its change history, and the append-only audit trail."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedText
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model
from portal.models.accounts import User

AUDIT_ACTIONS = ("view", "create", "change", "sign", "amend", "export", "download", "erase")


class AuditEvent(Model):
    """Who viewed, created, changed, signed, amended, exported, downloaded or erased which client's health
    data, and when; never the data itself.

    Rows are only ever added. `client_id` is a plain integer, not a foreign key, so the trail outlives an
    erased client. PostgreSQL refuses UPDATE and DELETE on the table with a trigger (see the migration).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("action in (" + ", ".join(f"'{a}'" for a in AUDIT_ACTIONS) + ")", name="action_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the portal itself
    actor_role: Mapped[str | None] = mapped_column(String(20))  # her role when she acted; None: the portal
    client_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))
    what: Mapped[str] = mapped_column(String(40))  # a kind: "note", "profile", "export" ...
    what_id: Mapped[int | None] = mapped_column(Integer)

    actor: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.what}>"


class ClientProfile(Model):
    """One client's contact and health details; the medical free text is encrypted at rest."""

    __tablename__ = "client_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(EncryptedText(), default="")
    medication: Mapped[str] = mapped_column(EncryptedText(), default="")
    supplements: Mapped[str] = mapped_column(EncryptedText(), default="")
    allergies: Mapped[str] = mapped_column(EncryptedText(), default="")
    goals: Mapped[str] = mapped_column(EncryptedText(), default="")
    gp_name: Mapped[str] = mapped_column(EncryptedText(), default="")
    gp_practice: Mapped[str] = mapped_column(EncryptedText(), default="")  # practice name, address, phone
    # Bumped on every save: a form posted from an older copy of the page is refused, not applied.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ClientProfile {self.id} client={self.client_id}>"


class ProfileChange(Model):
    """One save of a profile that changed something: which fields, when, by whom.

    `changes` holds the old and new values as encrypted JSON ({field: [old, new]}); `fields` the names in
    the clear, so the history lists what changed without decrypting anything.
    """

    __tablename__ = "profile_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fields: Mapped[str] = mapped_column(String(300))  # comma-separated field names
    changes: Mapped[str] = mapped_column(EncryptedText(), default="{}")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")

    @property
    def field_names(self) -> list[str]:
        return [name for name in self.fields.split(",") if name]

    def __repr__(self) -> str:
        return f"<ProfileChange {self.id} client={self.client_id}>"
