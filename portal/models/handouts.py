"""Protocols and handouts: her library of protocol items, the protocol composed for a session, the PDF
handouts published from it (with their stored files), and her handout branding.

Every table that holds a client's data carries `client_id`, so erasure finds it by that column alone;
protocol lines hang off their protocol and go with it (ON DELETE CASCADE).

What is written for a client is encrypted at rest: a protocol's summary, focus points and next steps, the text
of its lines and the stored PDFs. Her library items are her own reference text, about no client, and stay plain.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedBytes, EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model


class ItemCategory(enum.StrEnum):
    DIET = "diet"
    SUPPLEMENT = "supplement"
    LIFESTYLE = "lifestyle"
    TEST = "test"
    OTHER = "other"


CATEGORY_LABELS = {
    ItemCategory.DIET: "Diet",
    ItemCategory.SUPPLEMENT: "Supplement",
    ItemCategory.LIFESTYLE: "Lifestyle",
    ItemCategory.TEST: "Test to ask your GP for",
    ItemCategory.OTHER: "Other",
}
CATEGORY_CHECK = one_of("category", ItemCategory)


class ItemTextColumns:
    """What a library item says (a protocol line has the same fields, encrypted)."""

    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    dose: Mapped[str] = mapped_column(String(120), default="")
    timing: Mapped[str] = mapped_column(String(120), default="")
    duration: Mapped[str] = mapped_column(String(120), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")  # "why it helps", in words for the client


class ProtocolItem(ItemTextColumns, Model):
    """An item in her protocol library. Edited in place and archived, never deleted: protocols keep
    their own copy of what an item said when it was added."""

    __tablename__ = "protocol_items"
    __table_args__ = (CheckConstraint(CATEGORY_CHECK, name="category_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Protocol(Model):
    """The protocol being composed for one session: summary, focus points, next steps and its lines."""

    __tablename__ = "protocols"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(EncryptedText(), default="")
    focus_points: Mapped[str] = mapped_column(EncryptedText(), default="")  # one per line
    next_steps: Mapped[str] = mapped_column(EncryptedText(), default="")  # one per line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lines: Mapped[list[ProtocolLine]] = relationship(
        back_populates="protocol",
        lazy="raise",
        order_by="ProtocolLine.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ProtocolLine(Model):
    """One item of a session's protocol: a copy of a library item adjusted for her, or a one-off.

    Its text is encrypted (lengths are the forms' limits, as in the library); the category stays plain for
    its check constraint and says no more than "a supplement"."""

    __tablename__ = "protocol_lines"
    __table_args__ = (CheckConstraint(CATEGORY_CHECK, name="category_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id", ondelete="CASCADE"), index=True)
    library_item_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_items.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(EncryptedText())
    dose: Mapped[str] = mapped_column(EncryptedText(), default="")
    timing: Mapped[str] = mapped_column(EncryptedText(), default="")
    duration: Mapped[str] = mapped_column(EncryptedText(), default="")
    instructions: Mapped[str] = mapped_column(EncryptedText(), default="")
    rationale: Mapped[str] = mapped_column(EncryptedText(), default="")

    protocol: Mapped[Protocol] = relationship(back_populates="lines", lazy="raise")


class PublishedHandout(Model):
    """One published version of a session's handout. The PDF itself is in storage under `storage_key`;
    a download serves those bytes, never a new rendering."""

    __tablename__ = "handouts"
    __table_args__ = (
        UniqueConstraint("booking_id", "version", name="uq_handouts_booking_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)
    session_date: Mapped[date] = mapped_column(Date)  # in the client's zone, as printed on the handout
    session_title: Mapped[str] = mapped_column(String(200))  # e.g. "Follow-up, 3 March 2026"
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of the PDF, hex
    size: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def filename(self) -> str:
        return f"handout-{self.session_date.isoformat()}-v{self.version}.pdf"


class StoredFile(Model):
    """The database backend of handout storage: the bytes of a published PDF, by key, encrypted (the handout
    row's checksum and size are of the plain PDF)."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(EncryptedBytes())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaperSize(enum.StrEnum):
    A4 = "A4"
    LETTER = "Letter"


class HandoutSettings(Model):
    """Her handout branding: practice name, logo, colour, disclaimer and paper size."""

    __tablename__ = "handout_settings"
    __table_args__ = (
        CheckConstraint(one_of("paper_size", PaperSize), name="paper_size_valid"),
        CheckConstraint("length(accent_colour) = 7", name="accent_colour_hex"),
    )

    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    practice_name: Mapped[str] = mapped_column(String(120))
    accent_colour: Mapped[str] = mapped_column(String(7), default="#2d6a64")
    disclaimer: Mapped[str] = mapped_column(Text, default="")
    paper_size: Mapped[str] = mapped_column(String(10), default=PaperSize.A4)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_content_type: Mapped[str] = mapped_column(String(40), default="")
    logo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
