"""The practice's consent and policy documents, their published versions, and clients' signatures.

A document is edited as a draft (its title and text on the document row); publishing copies the draft into the
next numbered version, which is frozen: the ORM refuses to flush a change to it and the database refuses an
UPDATE (a trigger on both databases; on PostgreSQL a DELETE too).

A signature is the client's data (it carries `client_id`, so both exports include it and erasure removes it).
It keeps its own copy of the title and text she signed with the text's SHA-256; these are the practice's words,
not health data, so they are stored in the clear. Her IP address and browser are personal data and encrypted
at rest. Once written, a signature is never changed (ORM guard and database trigger); only erasure deletes it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.accounts import User


class DocumentKind(enum.StrEnum):
    CONSENT = "consent"
    TERMS = "terms"
    PRIVACY = "privacy"
    OTHER = "other"


KIND_TITLES = {
    DocumentKind.CONSENT: "Consent to care",
    DocumentKind.TERMS: "Terms and cancellation policy",
    DocumentKind.PRIVACY: "Privacy notice",
    DocumentKind.OTHER: "Another document",
}


class ConsentFrozen(RuntimeError):
    """A published version or a signature was about to be changed: they never are."""


class ConsentDocument(Model):
    """One of the practice's documents: its draft (title and text) and, once published, its versions."""

    __tablename__ = "consent_documents"
    __table_args__ = (CheckConstraint(one_of("kind", DocumentKind), name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))  # the draft's title
    text: Mapped[str] = mapped_column(Text, default="")  # the draft's text: paragraphs split by blank lines
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[ConsentVersion]] = relationship(
        back_populates="document", lazy="raise", order_by="ConsentVersion.number"
    )


class ConsentVersion(Model):
    """A published version of a document: numbered 1, 2, ... and never changed."""

    __tablename__ = "consent_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_consent_versions_document_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("length(text_sha256) = 64", name="hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of `text` in UTF-8
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    document: Mapped[ConsentDocument] = relationship(back_populates="versions", lazy="raise")


class ConsentSignature(Model):
    """A client's signature of one version: what she signed (a copy, with its hash), her typed name, when,
    and from which address and browser."""

    __tablename__ = "consent_signatures"
    __table_args__ = (
        UniqueConstraint("client_id", "version_id", name="uq_consent_signatures_client_version"),
        CheckConstraint("length(text_sha256) = 64", name="hash_length"),
        CheckConstraint("length(typed_name) >= 1", name="typed_name_given"),
        Index("ix_consent_signatures_client_signed", "client_id", "signed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("consent_versions.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # the exact text she signed (the practice's words, not health data)
    text_sha256: Mapped[str] = mapped_column(String(64))
    typed_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str] = mapped_column(EncryptedText())
    user_agent: Mapped[str] = mapped_column(EncryptedText())

    client: Mapped[User] = relationship(lazy="raise")
    version: Mapped[ConsentVersion] = relationship(lazy="raise")


# The columns of a signature that the database refuses to change. The encrypted ones are left out so that
# `flask rotate-keys` can re-encrypt them; their plain text never changes either (nothing in the portal writes it).
SEALED_SIGNATURE_COLUMNS = (
    "id",
    "client_id",
    "document_id",
    "version_id",
    "version_number",
    "title",
    "text",
    "text_sha256",
    "typed_name",
    "signed_at",
)


@event.listens_for(ConsentVersion, "before_update")
def _refuse_changing_a_version(mapper, connection, target: ConsentVersion) -> None:
    raise ConsentFrozen("a published version of a document is never changed; publish a new one")


@event.listens_for(ConsentSignature, "before_update")
def _refuse_changing_a_signature(mapper, connection, target: ConsentSignature) -> None:
    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in SEALED_SIGNATURE_COLUMNS):
        raise ConsentFrozen("a signature is never changed")
