"""The demo practice has the shipped templates and a signed, amended note for Sophie."""

from __future__ import annotations

from portal.accounts import users
from portal.cases import notes, templates
from portal.demo import DEMO_CLIENTS, DEMO_PRACTITIONER, seed_demo
from portal.extensions import db
from portal.models import Note


def test_demo_data_has_templates_and_a_signed_note_once(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")
    maya = users.find_user_by_email(DEMO_PRACTITIONER[1])
    sophie = users.find_user_by_email(DEMO_CLIENTS[0][1])
    assert [t.shipped_key for t in templates.templates_of(maya.id)] == list(templates.SHIPPED)
    note_id = db.session.execute(db.select(Note.id).filter_by(client_id=sophie.id)).scalar_one()
    note = notes.note_for_practitioner(note_id, maya.id)
    assert note.is_signed and note.booking_id is not None and len(note.amendments) == 1
    assert notes.verify_seal(note, note.amendments).intact
    assert "Latest scores" in note.context or "No questionnaires" in note.context
