"""Case notes: started from a template, saved as drafts (each save names the revision it was based on, so
two tabs never silently overwrite each other), signed with a SHA-256 seal, then only ever amended.

Every function here audits what it does in the same transaction as the change, and commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, selectinload

from portal import audit
from portal.db_types import affected_rows, utcnow
from portal.extensions import db
from portal.models import Booking, Note, NoteAmendment, NoteStatus, NoteTemplate, QuestionnaireResponse, User
from portal.numbers import format_number
from portal.questionnaires.diary_entries import Overview
from portal.questionnaires.instruments import INSTRUMENTS

MAX_TITLE = 200
MAX_SECTION_TEXT = 20_000
MAX_REASON = 500
MAX_AMENDMENT = 20_000
# Autosave sends a draft every few seconds while she types: one "change" in the audit trail per burst of
# editing (a save after this long without one), not one per keystroke pause.
AUDIT_CHANGE_AFTER = timedelta(minutes=10)


class NoteError(ValueError):
    """Something about a note that can't be done; str() is the message for her."""


class NoteLocked(NoteError):
    """The note is signed: it can only be amended."""

    def __init__(self) -> None:
        super().__init__("This note is signed and locked. Add an amendment with your reason instead.")


class NoteConflict(NoteError):
    """The save was based on an older revision than the one stored (another tab or window saved since)."""

    def __init__(self, current: Note | None) -> None:
        self.revision = current.revision if current is not None else None
        self.saved_at = current.updated_at if current is not None else None
        self.signed = current is not None and current.is_signed
        if self.signed:
            message = (
                "This note was signed in another tab or window. Nothing here was saved: copy any text you "
                "still need, then reload to see the signed note."
            )
        else:
            message = (
                "A newer version of this note was saved in another tab or window. Nothing here was saved: "
                "copy any text you still need, then reload to see the newer version."
            )
        super().__init__(message)


# Reading ------------------------------------------------------------------------------------------------


def sections_of(note: Note) -> list[dict]:
    """The note's sections: [{"title", "prompt", "text"}], in order."""
    return json.loads(note.body)


def note_for_practitioner(note_id: int, practitioner_id: int) -> Note | None:
    """The note with its client, signer and amendments (with authors), if it is one of hers."""
    note = db.session.execute(
        db.select(Note)
        .filter_by(id=note_id, practitioner_id=practitioner_id)
        .options(
            selectinload(Note.client),
            selectinload(Note.signed_by),
            selectinload(Note.booking),
            selectinload(Note.amendments).selectinload(NoteAmendment.author),
        )
    ).scalar_one_or_none()
    return note


def client_notes(client_id: int, practitioner_id: int) -> list[tuple[Note, int]]:
    """Her notes on a client, newest first, each with its number of amendments: one query, without the
    encrypted body and context (reading them raises, so a list never decrypts by accident)."""
    amendments = db.select(NoteAmendment.note_id, db.func.count().label("n")).group_by(NoteAmendment.note_id).subquery()
    rows = db.session.execute(
        db.select(Note, db.func.coalesce(amendments.c.n, 0))
        .outerjoin(amendments, amendments.c.note_id == Note.id)
        .options(defer(Note.body, raiseload=True), defer(Note.context, raiseload=True))  # no decrypting here
        .filter(Note.client_id == client_id, Note.practitioner_id == practitioner_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    ).all()
    return [(note, count) for note, count in rows]


# Starting and saving drafts ------------------------------------------------------------------------------


def context_summary(
    latest: list[QuestionnaireResponse], overview: Overview | None, tz: str, titles: Mapping[str, str] | None = None
) -> str:
    """The figures a note opens with: each instrument's latest score, then the diary's last 28 days.
    `titles` names the practitioner's own questionnaires (validated instruments are known here)."""
    titles = {**{code: i.title for code, i in INSTRUMENTS.items()}, **(titles or {})}
    zone, lines = ZoneInfo(tz), []
    if latest:
        scores = []
        for response in latest:
            title = titles.get(response.code, "Questionnaire")
            total = "" if response.total is None else f" {format_number(response.total)}"
            band = f" ({response.band})" if response.band else ""
            scores.append(f"{title}{total}{band} on {response.submission_time.astimezone(zone):%-d %b %Y}")
        lines.append("Latest scores: " + "; ".join(scores) + ".")
    else:
        lines.append("No questionnaires answered yet.")
    if overview is None or overview.current.recorded_days == 0:
        lines.append("No diary days in the last 28 days.")
        return "\n".join(lines)
    c, words = overview.current, overview.words("her")
    lines.append(
        f"Diary, 28 days to {overview.today:%-d %b %Y}: {c.migraine_days} migraine days, "
        f"{c.headache_days} headache days, {c.acute_medication_days} days with pain medication, "
        f"{c.recorded_days} of 28 days filled in."
    )
    lines += [text for text in (words.comparison, words.overuse, words.stools) if text]
    if overview.link.enough_data and overview.link.bad_gut_days:
        lines.append(f"Gut and migraine: {words.link}")
    return "\n".join(lines)


def start_note(
    client: User,
    practitioner: User,
    template: NoteTemplate,
    *,
    booking: Booking | None = None,
    context: str = "",
    title: str | None = None,
) -> Note:
    """A new draft on the client, with the template's sections (copied) and the context figures."""
    if not client.is_client:
        raise NoteError("Notes are written about clients.")
    if booking is not None and booking.client_id != client.id:
        raise NoteError("That session belongs to someone else.")
    sections = [{"title": s["title"], "prompt": s.get("prompt", ""), "text": ""} for s in template.sections]
    now = utcnow()
    note = Note(
        client_id=client.id,
        practitioner_id=practitioner.id,
        booking_id=booking.id if booking else None,
        template_id=template.id,
        title=(title or template.name)[:MAX_TITLE],
        body=json.dumps(sections),
        context=context,
        status=NoteStatus.DRAFT,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    db.session.add(note)
    db.session.flush()
    audit.record("create", client.id, "note", note.id)
    db.session.commit()
    return note


def _checked_texts(note: Note, title: str, texts: list[str]) -> tuple[str, list[dict]]:
    title = title.strip()
    if not title:
        raise NoteError("Give the note a title.")
    if len(title) > MAX_TITLE:
        raise NoteError(f"Keep the title to {MAX_TITLE} characters.")
    sections = sections_of(note)
    if len(texts) != len(sections):
        raise NoteError("The note's sections did not arrive complete. Reload the page and try again.")
    for section, text in zip(sections, texts, strict=True):
        if len(text) > MAX_SECTION_TEXT:
            raise NoteError(f"“{section['title']}” is longer than {MAX_SECTION_TEXT:,} characters.")
        if "\ufffd" in text or "\ufffd" in title:
            raise NoteError("Some characters could not be read. Please type them again.")
        section["text"] = text.replace("\r\n", "\n")
    return title, sections


def save_draft(note: Note, base_revision: int, title: str, texts: list[str]) -> Note:
    """Store the draft if `base_revision` is still the stored one; the revision goes up by one.

    NoteLocked for a signed note, NoteConflict when another save came first (the check and the write are
    one UPDATE, so two saves racing from two tabs can't both win).
    """
    if note.is_signed:
        raise NoteLocked()
    title, sections = _checked_texts(note, title, texts)
    now, last_saved = utcnow(), note.updated_at
    changed = affected_rows(
        db.session.execute(
            db.update(Note)
            .where(Note.id == note.id, Note.revision == base_revision, Note.status == NoteStatus.DRAFT)
            .values(title=title, body=json.dumps(sections), revision=Note.revision + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if changed != 1:
        db.session.rollback()
        raise _conflict(note.id)
    if now - last_saved >= AUDIT_CHANGE_AFTER or base_revision == 1:
        audit.record("change", note.client_id, "note", note.id)
    db.session.commit()
    db.session.refresh(note)
    return note


def _conflict(note_id: int) -> NoteConflict:
    """The conflict, told with the stored note as it is now."""
    return NoteConflict(db.session.get(Note, note_id, populate_existing=True))


# Signing and amending ---------------------------------------------------------------------------------------


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(note: Note, signed_by_id: int, signed_at: datetime) -> str:
    """SHA-256 over what the note says and who signed it when (prompts are not content)."""
    return hashlib.sha256(
        _canonical(
            {
                "note": note.id,
                "client": note.client_id,
                "title": note.title,
                "context": note.context,
                "sections": [{"title": s["title"], "text": s["text"]} for s in sections_of(note)],
                "signed_by": signed_by_id,
                "signed_at": signed_at.isoformat(),
            }
        )
    ).hexdigest()


def amendment_hash(previous_hash: str, amendment: NoteAmendment) -> str:
    """SHA-256 chaining each amendment to the one before (the first to the note's own hash)."""
    return hashlib.sha256(
        previous_hash.encode("ascii")
        + _canonical(
            {
                "note": amendment.note_id,
                "number": amendment.number,
                "author": amendment.author_id,
                "at": amendment.created_at.isoformat(),
                "reason": amendment.reason,
                "text": amendment.text,
            }
        )
    ).hexdigest()


def sign_note(note: Note, base_revision: int, by: User) -> Note:
    """Lock the draft as it is at `base_revision`, sealed with who, when and the content's hash."""
    if note.is_signed:
        raise NoteLocked()
    if note.revision != base_revision:
        raise _conflict(note.id)
    if not any(s["text"].strip() for s in sections_of(note)):
        raise NoteError("Write something in the note before you sign it.")
    signed_at = utcnow().replace(microsecond=0)
    seal = content_hash(note, by.id, signed_at)
    changed = affected_rows(
        db.session.execute(
            db.update(Note)
            .where(Note.id == note.id, Note.revision == base_revision, Note.status == NoteStatus.DRAFT)
            .values(status=NoteStatus.SIGNED, signed_at=signed_at, signed_by_id=by.id, content_hash=seal)
            .execution_options(synchronize_session=False)
        )
    )
    if changed != 1:
        db.session.rollback()
        raise _conflict(note.id)
    audit.record("sign", note.client_id, "note", note.id)
    db.session.commit()
    db.session.refresh(note)
    return note


def amend_note(note: Note, by: User, reason: str, text: str) -> NoteAmendment:
    """Append an amendment to a signed note; the note itself is never touched."""
    if not note.is_signed:
        raise NoteError("Only a signed note is amended; a draft you can simply edit.")
    reason, text = reason.strip(), text.strip().replace("\r\n", "\n")
    if not reason:
        raise NoteError("Say why you are amending the note.")
    if len(reason) > MAX_REASON:
        raise NoteError(f"Keep the reason to {MAX_REASON} characters.")
    if not text:
        raise NoteError("Write the amendment.")
    if len(text) > MAX_AMENDMENT:
        raise NoteError(f"Keep the amendment to {MAX_AMENDMENT:,} characters.")
    previous = db.session.execute(
        db.select(NoteAmendment).filter_by(note_id=note.id).order_by(NoteAmendment.number.desc()).limit(1)
    ).scalar_one_or_none()
    amendment = NoteAmendment(
        note_id=note.id,
        client_id=note.client_id,
        author_id=by.id,
        number=(previous.number + 1) if previous else 1,
        reason=reason,
        text=text,
        created_at=utcnow().replace(microsecond=0),
    )
    chained_to = previous.content_hash if previous else note.content_hash
    assert chained_to is not None  # a signed note has its hash
    amendment.content_hash = amendment_hash(chained_to, amendment)
    db.session.add(amendment)
    try:
        db.session.flush()  # (note, number) is unique: a simultaneous amendment makes this one fail cleanly
    except IntegrityError:
        db.session.rollback()
        raise NoteError("Another amendment was added to this note just now. Reload it and add yours again.") from None
    audit.record("amend", note.client_id, "note", note.id)
    db.session.commit()
    return amendment


@dataclass(frozen=True)
class Seal:
    intact: bool
    broken_at: str | None = None  # "the note" or "amendment 2"


def verify_seal(note: Note, amendments: list[NoteAmendment]) -> Seal:
    """Recompute the note's hash and the amendment chain; anything changed in the database shows here."""
    if not note.is_signed:
        return Seal(False, "the note (not signed)")
    if (
        note.signed_by_id is None
        or note.signed_at is None
        or content_hash(note, note.signed_by_id, note.signed_at) != note.content_hash
    ):
        return Seal(False, "the note")
    previous = note.content_hash
    for amendment in amendments:
        if amendment_hash(previous, amendment) != amendment.content_hash:
            return Seal(False, f"amendment {amendment.number}")
        previous = amendment.content_hash
    return Seal(True)
