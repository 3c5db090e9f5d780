"""Demo data for the case notes: the shipped templates and a signed note on the demo client's last session."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from portal.cases import casefile, notes, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, Note, User

DEMO_NOTE = [
    "Migraines about six days a month for ten years, worse in the week before her period and after short nights. "
    "Sumatriptan on most of those days. Hard stools every two or three days, bloated by the evening. Coffee "
    "three cups a day, lunch often skipped at work.",
    "Diary started this week. Looks tired; no red flags in her story (no sudden change in pattern, no "
    "neurological signs). GP reviewed her headaches last year.",
    "Likely a gut-brain picture: constipation and frequent triptan use together, irregular meals and short sleep "
    "as triggers. Watch for medication overuse as the diary fills in.",
    "Regular bedtime and breakfast; two litres of water and a fibre step. Magnesium glycinate 300 mg at night. "
    "Daily diary; HIT-6 and IBS-SSS before the initial consultation.",
]


def seed_demo_note(practitioner: User, client: User) -> None:
    """The shipped templates, and one signed note (with an amendment) on her latest past session."""
    templates.ensure_shipped(practitioner)
    if db.session.execute(db.select(Note.id).filter_by(client_id=client.id).limit(1)).first() is not None:
        return
    session = db.session.execute(
        db.select(Booking)
        .filter(Booking.client_id == client.id, Booking.starts_at < utcnow())
        .order_by(Booking.starts_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    template = templates.templates_of(practitioner.id)[0]  # initial consultation, migraine
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    note = notes.start_note(
        client,
        practitioner,
        template,
        booking=session,
        title="First conversation",
        context=casefile.note_context(client, today, practitioner.timezone),
    )
    notes.save_draft(note, note.revision, note.title, DEMO_NOTE)
    notes.sign_note(note, note.revision, practitioner)
    notes.amend_note(
        note,
        practitioner,
        "She e-mailed after the call",
        "Her GP prescribed propranolol last year; she stopped it after two months (tiredness).",
    )
