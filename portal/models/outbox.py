"""The outbox: every e-mail the portal sends is first a row here, written in the transaction of the change
that causes it, and sent afterwards by `flask jobs worker` (see portal/outbox.py)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedBytes
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.accounts import User


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its first try, or for its next one after a failure
    SENDING = "sending"  # claimed by a worker until claimed_until; after that another worker may take it
    SENT = "sent"
    DEAD = "dead"  # failed every try; the practitioner's dashboard offers to retry it


class OutboxMessage(Model):
    """One outgoing e-mail. The message itself (names, times, links) is encrypted, and blanked once sent:
    what stays is when, which template, to whom and how many tries."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(one_of("status", OutboxStatus), name="status_valid"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The claim: queued and due, or sending with an expired lease.
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.QUEUED.value)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)  # the Message-ID header, kept on resends
    template: Mapped[str] = mapped_column(String(60))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    raw: Mapped[bytes | None] = mapped_column(EncryptedBytes())  # the whole message; None once sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(100), default="")  # the error's class, never its text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.template} {self.status}>"
