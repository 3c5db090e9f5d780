"""Everything the portal holds about one client, as one ZIP archive.

records.json holds every row of every table that belongs to her (found from the schema, decrypted), her
account without its secrets, and a list of the other files: her questionnaire responses as FHIR
QuestionnaireResponse resources, her handout PDFs and any other stored files. The client's own export
leaves out the practitioners' private case notes; a practitioner's export holds her own notes only (notes
stay private to their author, even from the owner).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import ColumnElement, and_, false, or_

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import QuestionnaireResponse, ResponseStatus, TriggerTag, User
from portal.questionnaires import fhir
from portal.questionnaires.instruments import INSTRUMENTS, with_licensed_wording
from portal.records.ownership import OwnedTable, owned_tables, table_module
from portal.handouts.handouts import handout_pdf, published_handouts

# Never exported: credentials (a session's token hash included) and payment-provider secrets.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "stripe_client_secret"})
# Stored bytes that are a known kind of file: an e-mail not yet sent is a message a mail program opens.
FILE_EXTENSIONS = {"outbox": "eml", "diary_meal_photos": "jpg"}  # meal photos are stored as JPEG
# The practitioner's private working notes: in her export of a client, never in the client's own.
PRACTITIONER_ONLY_MODULES = ("portal.models.notes",)


@dataclass(frozen=True)
class Archive:
    filename: str
    content: bytes


def _plain(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _excluded_tables(for_practitioner: bool) -> set[str]:
    if for_practitioner:
        return set()
    excluded: set[str] = set()
    for item in owned_tables(0):
        private = table_module(item.table) in PRACTITIONER_ONLY_MODULES
        child_of_private = any(fk.column.table.name in excluded for fk in item.table.foreign_keys) and not item.direct
        if private or child_of_private:
            excluded.add(item.table.name)
    return excluded


def _authored_by(tables: list[OwnedTable], author_id: int) -> dict[str, ColumnElement[bool]]:
    """For each private table, the condition keeping only rows of notes this practitioner wrote: a table with
    a practitioner_id by that column, a table pointing at such a table through it."""
    found: dict[str, ColumnElement[bool]] = {}
    for item in tables:
        if table_module(item.table) not in PRACTITIONER_ONLY_MODULES:
            continue
        if "practitioner_id" in item.table.c:
            found[item.table.name] = item.table.c.practitioner_id == author_id
            continue
        links = [
            fk.parent.in_(db.select(fk.column).where(found[fk.column.table.name]))
            for fk in item.table.foreign_keys
            if fk.column.table.name in found
        ]
        found[item.table.name] = or_(*links) if links else false()  # unknown shape: leave it out
    return found


def client_records(
    client: User,
    *,
    for_practitioner: bool,
    known_files: dict[str, bytes] | None = None,
    notes_author_id: int | None = None,
) -> tuple[dict, dict[str, bytes]]:
    """The JSON document of her records and the binary files that go beside it.

    A binary value equal to one of `known_files` (e.g. a handout PDF) points at that file instead of
    being written twice. With `notes_author_id`, private notes are those of that practitioner only.
    """
    files: dict[str, bytes] = {}
    known = {hashlib.sha256(content).hexdigest(): path for path, content in (known_files or {}).items()}
    excluded = _excluded_tables(for_practitioner)
    account = {c.name: _plain(getattr(client, c.key)) for c in User.__table__.columns if c.name not in SECRET_COLUMNS}
    tables: dict[str, list[dict]] = {}
    owned = owned_tables(client.id)
    authored = _authored_by(owned, notes_author_id) if notes_author_id is not None else {}
    for item in owned:
        if item.table.name in excluded:
            continue
        condition = item.condition
        if item.table.name in authored:
            condition = and_(condition, authored[item.table.name])
        rows = []
        for row in db.session.execute(db.select(item.table).where(condition)).mappings():
            record = {}
            for name, value in row.items():
                if name in SECRET_COLUMNS:
                    continue
                if isinstance(value, (bytes, memoryview)):
                    content = bytes(value)
                    path = known.get(hashlib.sha256(content).hexdigest())
                    if path is None:
                        extension = FILE_EXTENSIONS.get(item.table.name, "bin")
                        path = f"files/{item.table.name}/{len(files) + 1}.{extension}"
                        files[path] = content
                    value = {"file": path, "bytes": len(content)}
                record[name] = _plain(value)
            rows.append(record)
        tables[item.table.name] = rows
    return {"account": account, "tables": tables}, files


def trigger_tag_labels(tables: dict[str, list[dict]]) -> dict[str, str]:
    """The practice's names for the tags her meals and days carry (the rows hold only the tags' ids)."""
    used = {row["tag_id"] for name in ("diary_meal_tags", "diary_day_tags") for row in tables.get(name, [])}
    if not used:
        return {}
    rows = db.session.execute(db.select(TriggerTag.id, TriggerTag.label).filter(TriggerTag.id.in_(used))).all()
    return {str(tag_id): label for tag_id, label in sorted(rows)}


def fhir_responses(client: User) -> dict[str, dict]:
    """Her submitted responses to instruments that have a FHIR form, by file name."""
    licensed = current_app.config.get("LICENSED_CONTENT")
    found = {}
    submitted = db.session.execute(
        db.select(QuestionnaireResponse)
        .filter_by(client_id=client.id, status=ResponseStatus.SUBMITTED)
        .order_by(QuestionnaireResponse.id)
    ).scalars()
    for response in submitted:
        if response.code not in INSTRUMENTS:
            continue
        instrument = with_licensed_wording(response.code, licensed, response.version)
        try:
            resource = fhir.questionnaire_response(
                instrument,
                response.answers,
                patient_reference=f"Patient/{client.id}",
                authored=response.submitted_at or response.started_at,
                total=response.total,
            )
        except StopIteration:  # answered on an older version whose options no longer match
            continue
        found[f"fhir/QuestionnaireResponse-{response.id}-{response.code}.json"] = resource
    return found


def handout_files(client: User) -> dict[str, bytes]:
    """Her published handout PDFs."""
    files = {}
    for handout in published_handouts(client.id):
        name = getattr(handout, "filename", None) or f"handout-{handout.id}.pdf"
        files[f"handouts/{name}"] = handout_pdf(handout)
    return files


def build_archive(client: User, *, for_practitioner: bool, notes_author_id: int | None = None) -> Archive:
    """The ZIP of everything held about her; the caller audits and commits. A practitioner's export passes
    her id as `notes_author_id`: the archive then holds her own notes and no one else's."""
    now = utcnow()
    handouts = handout_files(client)
    document, files = client_records(
        client, for_practitioner=for_practitioner, known_files=handouts, notes_author_id=notes_author_id
    )
    responses = fhir_responses(client)
    document = {
        "exported_at": now.isoformat(),
        "practice": current_app.config["PRACTICE_NAME"],
        "client_id": client.id,
        "includes_practitioner_notes": for_practitioner,
        **document,
        "trigger_tags": trigger_tag_labels(document["tables"]),  # tag id: its name, for her meals and days
        "files": sorted([*files, *responses, *handouts]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.json", json.dumps(document, indent=2, ensure_ascii=False, default=str))
        for path, resource in responses.items():
            archive.writestr(path, json.dumps(resource, indent=2, ensure_ascii=False))
        for path, content in {**files, **handouts}.items():
            archive.writestr(path, content)
    return Archive(f"client-{client.id}-records-{now:%Y-%m-%d}.zip", buffer.getvalue())
