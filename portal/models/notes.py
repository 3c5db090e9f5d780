"""The practitioner's note templates, her case notes and their amendments.

Note text is health data: bodies, the context snapshot and amendments are stored encrypted (EncryptedText).
Every row that holds a client's data carries `client_id`, so an export or an erasure finds it directly;
amendments also go with their note (ON DELETE CASCADE).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.accounts import User
from portal.models.booking import Booking


class NoteStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class NoteTemplate(Model):
    """A shape for a session note: named sections, each with a prompt in her own words.

    Notes copy the sections when they are started, so editing a template never changes an existing note.
    """

    __tablename__ = "note_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # [{"title": "Subjective", "prompt": "What she tells you ..."}, ...]: no client data, so not encrypted.
    sections: Mapped[list[dict]] = mapped_column(JSON, default=list)
    shipped_key: Mapped[str | None] = mapped_column(String(40))  # which shipped template this started as
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Note(Model):
    """A case note: a draft she edits (each save raises `revision`), then signed and never changed in place."""

    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint(one_of("status", NoteStatus), name="status_valid"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint(
            "status = 'draft' OR (signed_at IS NOT NULL AND signed_by_id IS NOT NULL AND content_hash IS NOT NULL)",
            name="signed_has_seal",
        ),
        Index("ix_notes_client_created", "client_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("note_templates.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    # JSON list of {"title", "prompt", "text"}, encrypted as one token.
    body: Mapped[str] = mapped_column(EncryptedText())
    # The latest scores and diary figures when the note was started, as plain lines; encrypted.
    context: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(10), default=NoteStatus.DRAFT)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 hex of the signed content

    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id], lazy="raise")
    booking: Mapped[Booking | None] = relationship(lazy="raise")
    amendments: Mapped[list[NoteAmendment]] = relationship(
        back_populates="note", lazy="raise", order_by="NoteAmendment.id", passive_deletes=True
    )

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED


class NoteAmendment(Model):
    """A correction or addition to a signed note, with her reason; appended, never edited."""

    __tablename__ = "note_amendments"
    __table_args__ = (UniqueConstraint("note_id", "number", name="uq_note_amendments_note_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... within the note
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(EncryptedText())
    text: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # SHA-256 over the previous hash in the chain (the note's, or the amendment before) and this content.
    content_hash: Mapped[str] = mapped_column(String(64))

    note: Mapped[Note] = relationship(back_populates="amendments", lazy="raise")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")
