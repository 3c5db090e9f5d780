"""Secure messages between a client and her care team: one conversation per client, its messages and their
attachments, and each practitioner's saved replies and messaging settings.

Two sides write in a conversation: the client, and the practice (anyone on her care team; the owner). Each side
has a read mark (the id of the newest message it has opened) and a flag saying an unread-notification e-mail
has gone to it since it last opened the thread, so a burst of messages sends one e-mail, not one each.

Message text, attachment names and attachment bytes are encrypted at rest. Every row about a client carries
`client_id`, so export and erasure find it by that column; messages and attachments also go with their
conversation (ON DELETE CASCADE).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedBytes, EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.accounts import User


class ConversationStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"  # the practitioner has dealt with it; it opens again when the client writes


class Conversation(Model):
    """The one conversation between a client and her care team."""

    __tablename__ = "conversations"
    __table_args__ = (CheckConstraint(one_of("status", ConversationStatus), name="status_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=ConversationStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The newest message of each side (0: none yet), so unread counts need no scan of the messages.
    last_client_message_id: Mapped[int] = mapped_column(Integer, default=0)
    last_team_message_id: Mapped[int] = mapped_column(Integer, default=0)
    # The newest message each side has opened (0: none).
    client_read_up_to: Mapped[int] = mapped_column(Integer, default=0)
    team_read_up_to: Mapped[int] = mapped_column(Integer, default=0)
    # An unread-notification e-mail went to that side and it has not opened the thread since.
    client_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    team_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")

    @property
    def unread_for_team(self) -> bool:
        return self.last_client_message_id > self.team_read_up_to

    @property
    def unread_for_client(self) -> bool:
        return self.last_team_message_id > self.client_read_up_to

    def __repr__(self) -> str:
        return f"<Conversation {self.id} client={self.client_id} {self.status}>"


class Message(Model):
    """One message: its text encrypted, who wrote it, and from which side."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_client: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(EncryptedText(), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sender: Mapped[User] = relationship(foreign_keys=[sender_id], lazy="raise")
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", lazy="raise", order_by="MessageAttachment.id", passive_deletes=True
    )

    def __repr__(self) -> str:  # never the text
        return f"<Message {self.id} conversation={self.conversation_id}>"


class MessageAttachment(Model):
    """A file sent with a message: a PDF as sent, or an image re-encoded without its metadata. Name and bytes
    are encrypted; size and checksum are of the plain bytes that are served."""

    __tablename__ = "message_attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(EncryptedText())
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of the stored plain bytes, hex
    content: Mapped[bytes] = mapped_column(EncryptedBytes(), deferred=True)  # read only to download it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments", lazy="raise")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SavedReply(Model):
    """A practitioner's own short text that she inserts into the composer. About no client: plain."""

    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessageSettings(Model):
    """A practitioner's out-of-office notice (empty: none) and the emergency notice on every conversation page."""

    __tablename__ = "message_settings"

    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    away_notice: Mapped[str] = mapped_column(Text, default="")
    emergency_notice: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
