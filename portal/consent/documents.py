"""The practice's consent and policy documents: drafted, published as frozen numbered versions, and signed.

The rule the booking pages follow: a client must have signed the current (latest published) version of every
document before she books. A document that has never been published asks nothing, so a practice with no
published documents books exactly as before.

Every function that changes something writes its rows and its audit in one transaction, and commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import KIND_TITLES, ConsentDocument, ConsentSignature, ConsentVersion, DocumentKind, User

MAX_TITLE = 200
MAX_TEXT = 50_000
MAX_NAME = 120
MAX_USER_AGENT = 300
MAX_IP = 64


class ConsentError(ValueError):
    """Something about a document or a signature that can't be done; str() is the message for her."""


class VersionOutOfDate(ConsentError):
    """She was signing a version that has since been replaced by a newer one."""

    def __init__(self) -> None:
        super().__init__("This document was updated while you were reading it. Please read the new version below.")


# Text -------------------------------------------------------------------------------------------------------


def text_sha256(text: str) -> str:
    """SHA-256 hex of the text exactly as stored and shown (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalised(text: str) -> str:
    """The text as it is stored: line endings as \\n, no spaces or blank lines around the whole."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def paragraphs(text: str) -> list[list[str]]:
    """The text's paragraphs (split by blank lines), each as its lines. Templates escape every line: this is
    the whole of the markup a document has."""
    blocks = [block.strip("\n") for block in normalised(text).split("\n\n")]
    return [[line.rstrip() for line in block.split("\n")] for block in blocks if block.strip()]


def _checked(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), normalised(text)
    if not title:
        raise ConsentError("Give the document a title.")
    if len(title) > MAX_TITLE:
        raise ConsentError(f"Keep the title to {MAX_TITLE} characters.")
    if len(text) > MAX_TEXT:
        raise ConsentError(f"Keep the text to {MAX_TEXT:,} characters.")
    if "\ufffd" in title or "\ufffd" in text:
        raise ConsentError("Some characters could not be read. Please type them again.")
    return title, text


# Reading ----------------------------------------------------------------------------------------------------


def all_documents() -> list[ConsentDocument]:
    """Every document of the practice, with its versions, in the order they were added."""
    return list(
        db.session.execute(
            db.select(ConsentDocument).options(selectinload(ConsentDocument.versions)).order_by(ConsentDocument.id)
        ).scalars()
    )


def document_with_versions(document_id: int) -> ConsentDocument | None:
    return db.session.execute(
        db.select(ConsentDocument)
        .filter_by(id=document_id)
        .options(selectinload(ConsentDocument.versions))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def latest_version(document: ConsentDocument) -> ConsentVersion | None:
    return document.versions[-1] if document.versions else None


def has_unpublished_changes(document: ConsentDocument) -> bool:
    """The draft differs from the latest published version (or nothing is published yet)."""
    latest = latest_version(document)
    return latest is None or (latest.title, latest.text) != (document.title, document.text)


def current_versions() -> list[ConsentVersion]:
    """The latest published version of every document that has one, in the documents' order: one query."""
    latest = (
        db.select(ConsentVersion.document_id, db.func.max(ConsentVersion.number).label("number"))
        .group_by(ConsentVersion.document_id)
        .subquery()
    )
    return list(
        db.session.execute(
            db.select(ConsentVersion)
            .join(
                latest,
                (latest.c.document_id == ConsentVersion.document_id) & (latest.c.number == ConsentVersion.number),
            )
            .order_by(ConsentVersion.document_id)
        ).scalars()
    )


def current_version_of_kind(kind: DocumentKind) -> ConsentVersion | None:
    """The latest published version of the first document of this kind (the privacy notice, say), or None."""
    kind_of = dict(db.session.execute(db.select(ConsentDocument.id, ConsentDocument.kind)).tuples().all())
    return next((version for version in current_versions() if kind_of.get(version.document_id) == kind), None)


def unsigned_versions(client_id: int) -> list[ConsentVersion]:
    """The current versions she has not signed yet: what she must sign before she books."""
    signed = set(db.session.execute(db.select(ConsentSignature.version_id).filter_by(client_id=client_id)).scalars())
    return [version for version in current_versions() if version.id not in signed]


def signatures_of(client_id: int) -> list[ConsentSignature]:
    """Her signatures, newest first."""
    return list(
        db.session.execute(
            db.select(ConsentSignature)
            .filter_by(client_id=client_id)
            .order_by(ConsentSignature.signed_at.desc(), ConsentSignature.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class ConsentStatus:
    signatures: list[ConsentSignature]  # newest first
    missing: list[ConsentVersion]  # current versions she has not signed

    @property
    def all_signed(self) -> bool:
        return not self.missing


def consent_status(client_id: int) -> ConsentStatus:
    """What she has signed, and which current versions she has not (for the case file)."""
    signatures = signatures_of(client_id)
    signed = {s.version_id for s in signatures}
    return ConsentStatus(signatures, [v for v in current_versions() if v.id not in signed])


def clients_missing_consent(client_ids: list[int]) -> set[int]:
    """Of these clients, those who have not signed every current version (for a list of clients): two queries."""
    current = [v.id for v in current_versions()]
    if not current or not client_ids:
        return set()
    rows = db.session.execute(
        db.select(ConsentSignature.client_id, db.func.count())
        .filter(ConsentSignature.client_id.in_(client_ids), ConsentSignature.version_id.in_(current))
        .group_by(ConsentSignature.client_id)
    ).all()
    counts: dict[int, int] = {client_id: count for client_id, count in rows}
    return {client_id for client_id in client_ids if counts.get(client_id, 0) < len(current)}


# The practitioner's side: drafts and publishing -------------------------------------------------------------


def create_document(kind: str, title: str, by: User) -> ConsentDocument:
    """A new document with an empty draft; its title is the kind's unless she gives her own."""
    if kind not in set(DocumentKind):
        raise ConsentError("Choose what kind of document this is.")
    title = title.strip() or ("" if kind == DocumentKind.OTHER else KIND_TITLES[DocumentKind(kind)])
    title, _ = _checked(title, "")
    now = utcnow()
    document = ConsentDocument(kind=kind, title=title, text="", created_by_id=by.id, created_at=now, updated_at=now)
    db.session.add(document)
    db.session.flush()
    audit.record("create", None, "consent_document", document.id)
    db.session.commit()
    return document


def save_draft(document: ConsentDocument, title: str, text: str) -> ConsentDocument:
    """Store her draft; the published versions are untouched."""
    title, text = _checked(title, text)
    if (title, text) != (document.title, document.text):
        document.title, document.text, document.updated_at = title, text, utcnow()
        audit.record("change", None, "consent_document", document.id)
        db.session.commit()
    return document


def draft_fingerprint(document: ConsentDocument) -> str:
    """A hash of the draft as a page shows it, so publishing publishes what she saw."""
    return text_sha256(document.title + "\n\n" + document.text)


def publish(document: ConsentDocument, by: User, seen: str) -> ConsentVersion:
    """Freeze the draft as the document's next version. `seen` is the draft_fingerprint of the page she
    published from: a draft changed since (another tab) is not published unseen."""
    if seen != draft_fingerprint(document):
        raise ConsentError("The draft was changed in another tab or window. Look it over below and publish again.")
    if not document.text.strip():
        raise ConsentError("Write the document before you publish it.")
    latest = db.session.execute(
        db.select(ConsentVersion).filter_by(document_id=document.id).order_by(ConsentVersion.number.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None and (latest.title, latest.text) == (document.title, document.text):
        raise ConsentError("This draft is the same as the published version: change something to publish anew.")
    number = 1 + (latest.number if latest is not None else 0)
    version = ConsentVersion(
        document_id=document.id,
        number=number,
        title=document.title,
        text=document.text,
        text_sha256=text_sha256(document.text),
        published_at=utcnow().replace(microsecond=0),
        published_by_id=by.id,
    )
    db.session.add(version)
    try:
        db.session.flush()  # (document, number) is unique: publishing twice at once makes one fail cleanly
    except IntegrityError:
        db.session.rollback()
        raise ConsentError("This document was published from another tab just now. Reload to see it.") from None
    audit.record("create", None, "consent_version", version.id)
    db.session.commit()
    return version


# The client's side: signing ---------------------------------------------------------------------------------


def sign(
    client: User, version: ConsentVersion, typed_name: str, agreed: bool, *, ip_address: str, user_agent: str
) -> ConsentSignature:
    """Her signature of the current version: a copy of the text with its hash, her name, the time, her address
    and browser. Signing a version she has signed already returns that signature (a second click)."""
    if not client.is_client:
        raise ConsentError("Only clients sign the practice's documents.")
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise ConsentError("Type your full name to sign.")
    if len(typed_name) > MAX_NAME:
        raise ConsentError(f"Keep your name to {MAX_NAME} characters.")
    if not agreed:
        raise ConsentError("Tick the box to say you agree.")
    existing = db.session.execute(
        db.select(ConsentSignature).filter_by(client_id=client.id, version_id=version.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    if version.id not in {v.id for v in current_versions()}:
        raise VersionOutOfDate()
    signature = ConsentSignature(
        client_id=client.id,
        document_id=version.document_id,
        version_id=version.id,
        version_number=version.number,
        title=version.title,
        text=version.text,
        text_sha256=text_sha256(version.text),
        typed_name=typed_name,
        signed_at=utcnow().replace(microsecond=0),
        ip_address=(ip_address or "")[:MAX_IP],
        user_agent=(user_agent or "")[:MAX_USER_AGENT],
    )
    db.session.add(signature)
    try:
        db.session.flush()
    except IntegrityError:  # the same form sent twice at once: the first one stands
        db.session.rollback()
        found = db.session.execute(
            db.select(ConsentSignature).filter_by(client_id=client.id, version_id=version.id)
        ).scalar_one()
        return found
    audit.record("sign", client.id, "consent", signature.id)
    db.session.commit()
    return signature


def signature_intact(signature: ConsentSignature) -> bool:
    """The stored text still hashes to the stored hash."""
    return text_sha256(signature.text) == signature.text_sha256


def record_download(signature: ConsentSignature) -> None:
    audit.record("download", signature.client_id, "consent", signature.id)
    db.session.commit()
