"""Notes as a record: drafts that never silently overwrite, signing with a SHA-256 seal, amendments that
append, text encrypted at rest, and every step in the audit trail."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from portal.accounts import users
from portal.cases import notes, templates
from portal.cases.casefile import note_context
from portal.cases.notes import NoteConflict, NoteError, NoteLocked
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Note, NoteAmendment, Role
from portal.questionnaires import diary_entries
from portal.records.erasure import erase_client

TEXTS = ["Migraines twice a week, worse before her period.", "HIT-6 58.", "Gut first.", "Magnesium glycinate."]


def audit_actions(note_id: int) -> list[str]:
    return list(
        db.session.execute(
            db.select(AuditEvent.action).filter_by(what="note", what_id=note_id).order_by(AuditEvent.id)
        ).scalars()
    )


def test_a_note_copies_the_template_sections_and_starts_as_draft(draft, template):
    sections = notes.sections_of(draft)
    assert [s["title"] for s in sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    assert [s["prompt"] for s in sections] == [s["prompt"] for s in template.sections]
    assert all(s["text"] == "" for s in sections)
    assert (draft.status, draft.revision) == ("draft", 1)
    assert draft.context == "Latest scores: HIT-6 58."
    assert audit_actions(draft.id) == ["create"]


def test_saving_a_draft_raises_its_revision(draft):
    notes.save_draft(draft, 1, "Initial consultation", TEXTS)
    assert draft.revision == 2
    assert [s["text"] for s in notes.sections_of(draft)] == TEXTS
    notes.save_draft(draft, 2, "Initial consultation", [t + "!" for t in TEXTS])
    assert draft.revision == 3
    assert audit_actions(draft.id) == ["create", "change"]  # one change per burst of editing


def test_a_save_based_on_an_old_revision_is_refused_and_keeps_the_newer(draft):
    """Two tabs opened revision 1; the first saves, the second is told a newer version exists."""
    notes.save_draft(draft, 1, "From tab one", ["one", "", "", ""])
    with pytest.raises(NoteConflict) as refused:
        notes.save_draft(draft, 1, "From tab two", ["two", "", "", ""])
    assert "newer version" in str(refused.value)
    assert refused.value.revision == 2
    stored = db.session.get(Note, draft.id, populate_existing=True)
    assert (stored.title, notes.sections_of(stored)[0]["text"], stored.revision) == ("From tab one", "one", 2)


def test_signing_locks_the_note_with_who_when_and_its_sha256(draft, maya):
    notes.save_draft(draft, 1, "Initial consultation", TEXTS)
    notes.sign_note(draft, 2, maya)
    assert draft.status == "signed" and draft.signed_by_id == maya.id and draft.signed_at is not None
    expected = hashlib.sha256(
        json.dumps(
            {
                "note": draft.id,
                "client": draft.client_id,
                "title": "Initial consultation",
                "context": draft.context,
                "sections": [
                    {"title": t, "text": x}
                    for t, x in zip(["Subjective", "Objective", "Assessment", "Plan"], TEXTS, strict=True)
                ],
                "signed_by": maya.id,
                "signed_at": draft.signed_at.isoformat(),
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    assert draft.content_hash == expected
    assert notes.verify_seal(draft, []).intact
    assert audit_actions(draft.id) == ["create", "change", "sign"]


def test_a_signed_note_cannot_be_edited_or_signed_again(signed, maya):
    before = (signed.title, signed.body, signed.revision, signed.content_hash)
    with pytest.raises(NoteLocked):
        notes.save_draft(signed, signed.revision, "Changed", ["changed", "", "", ""])
    with pytest.raises(NoteLocked):
        notes.sign_note(signed, signed.revision, maya)
    stored = db.session.get(Note, signed.id, populate_existing=True)
    assert (stored.title, stored.body, stored.revision, stored.content_hash) == before


def test_a_draft_signed_in_another_tab_refuses_the_old_tabs_save(draft, maya):
    notes.save_draft(draft, 1, "Note", TEXTS)
    other_tab_revision = 1
    notes.sign_note(draft, 2, maya)
    fresh = db.session.get(Note, draft.id, populate_existing=True)
    fresh.status = "draft"  # what the old tab still believes
    with pytest.raises(NoteConflict) as refused:
        notes.save_draft(fresh, other_tab_revision, "Note", TEXTS)
    assert refused.value.signed and "signed in another tab" in str(refused.value)
    assert db.session.get(Note, draft.id, populate_existing=True).status == "signed"


def test_signing_an_older_revision_than_stored_is_refused(draft, maya):
    notes.save_draft(draft, 1, "Note", TEXTS)
    with pytest.raises(NoteConflict):
        notes.sign_note(draft, 1, maya)
    assert db.session.get(Note, draft.id, populate_existing=True).status == "draft"


def test_an_empty_note_is_not_signed(draft, maya):
    with pytest.raises(NoteError, match="Write something"):
        notes.sign_note(draft, 1, maya)


def test_amendments_append_with_reason_and_leave_the_original(signed, maya):
    original = (signed.body, signed.content_hash)
    first = notes.amend_note(signed, maya, "Results came in", "Ferritin 18.")
    second = notes.amend_note(signed, maya, "Correction", "Magnesium 300 mg, not 400 mg.")
    loaded = notes.note_for_practitioner(signed.id, maya.id)
    assert [(a.number, a.reason, a.text) for a in loaded.amendments] == [
        (1, "Results came in", "Ferritin 18."),
        (2, "Correction", "Magnesium 300 mg, not 400 mg."),
    ]
    assert (loaded.body, loaded.content_hash) == original
    assert first.client_id == signed.client_id == second.client_id
    assert first.content_hash == notes.amendment_hash(signed.content_hash, first)
    assert second.content_hash == notes.amendment_hash(first.content_hash, second)
    assert notes.verify_seal(loaded, loaded.amendments).intact
    assert audit_actions(signed.id)[-2:] == ["amend", "amend"]


@pytest.mark.parametrize(
    "reason, body, message",
    [("", "Text", "Say why"), ("Why", "", "Write the amendment"), ("x" * 501, "Text", "500 characters")],
)
def test_an_amendment_needs_a_reason_and_text(signed, maya, reason, body, message):
    with pytest.raises(NoteError, match=message):
        notes.amend_note(signed, maya, reason, body)
    assert db.session.execute(db.select(db.func.count()).select_from(NoteAmendment)).scalar() == 0


def test_a_draft_is_edited_not_amended(draft, maya):
    with pytest.raises(NoteError, match="Only a signed note"):
        notes.amend_note(draft, maya, "Reason", "Text")


def test_a_change_made_behind_the_portals_back_breaks_the_seal(signed, maya):
    amendment, title = notes.amend_note(signed, maya, "Reason", "Added later."), signed.title
    db.session.execute(db.update(Note).where(Note.id == signed.id).values(title="Rewritten"))
    db.session.commit()
    loaded = notes.note_for_practitioner(signed.id, maya.id)
    assert notes.verify_seal(loaded, loaded.amendments).broken_at == "the note"
    db.session.execute(db.update(Note).where(Note.id == signed.id).values(title=title))
    db.session.execute(db.update(NoteAmendment).where(NoteAmendment.id == amendment.id).values(text="Something else"))
    db.session.commit()
    loaded = notes.note_for_practitioner(signed.id, maya.id)
    assert notes.verify_seal(loaded, loaded.amendments).broken_at == "amendment 1"


def test_note_text_is_encrypted_at_rest(signed, maya):
    notes.amend_note(signed, maya, "Secret reason", "Secret amendment about ferritin")
    raw = db.session.execute(text("SELECT title, body, context FROM notes")).one()
    assert "Migraines twice" not in raw.body and "HIT-6" not in raw.context
    assert raw.body.startswith("gAAAA") and raw.context.startswith("gAAAA")  # Fernet tokens
    raw_amendment = db.session.execute(text("SELECT reason, text FROM note_amendments")).one()
    assert "Secret" not in raw_amendment.reason + raw_amendment.text


def test_deleting_a_note_takes_its_amendments(signed, maya):
    notes.amend_note(signed, maya, "Reason", "Text")
    db.session.execute(db.delete(Note).where(Note.id == signed.id))
    db.session.commit()
    assert db.session.execute(db.select(db.func.count()).select_from(NoteAmendment)).scalar() == 0


def test_a_note_is_only_about_a_client(maya, template, make_user):
    other_practitioner = make_user(Role.PRACTITIONER)
    with pytest.raises(NoteError):
        notes.start_note(other_practitioner, maya, template)


def test_context_lists_latest_scores_and_diary_figures(sophie, make_response):
    make_response(sophie, "hit6", total=62, days_ago=30)
    make_response(sophie, "hit6", total=58, days_ago=2)
    make_response(sophie, "phq9", total=7, days_ago=5)
    today = utcnow().date()
    for n in range(10):
        diary_entries.save_entry(
            sophie,
            today - timedelta(days=n),
            today,
            headache="migraine" if n < 3 else "none",
            intensity=7 if n < 3 else 0,
            headache_minutes=240 if n < 3 else 0,
            medication={"triptan"} if n < 3 else set(),
            stool_types=[4],
            bloating=2,
            abdominal_pain=1,
            note="",
        )
    summary = note_context(sophie, today, "Europe/London")
    assert "HIT-6 58 (substantial impact)" in summary and "HIT-6 62" not in summary
    assert "PHQ-9 7 (mild)" in summary
    assert "3 migraine days" in summary and "3 days with pain medication" in summary and "10 of 28 days" in summary


def test_context_says_when_there_is_nothing_yet(sophie):
    summary = note_context(sophie, utcnow().date(), "Europe/London")
    assert summary == "No questionnaires answered yet.\nNo diary days in the last 28 days."


def test_long_section_text_is_refused(draft):
    with pytest.raises(NoteError, match="longer than"):
        notes.save_draft(draft, 1, "Note", ["x" * (notes.MAX_SECTION_TEXT + 1), "", "", ""])
    with pytest.raises(NoteError, match="did not arrive complete"):
        notes.save_draft(draft, 1, "Note", ["only one"])


def test_shipped_templates_are_used_once_per_practitioner(maya):
    templates.ensure_shipped(maya)
    templates.ensure_shipped(maya)
    assert len(templates.templates_of(maya.id)) == 4


def test_notes_survive_key_rotation_with_their_seal(app_factory):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with app_factory(ENCRYPTION_KEYS=old).app_context():
        maya = users.create_user(
            role=Role.PRACTITIONER,
            name="Maya",
            email="maya@example.com",
            password="quiet-morning-walk",
            timezone="Europe/London",
        )
        sophie = users.create_user(
            role=Role.CLIENT,
            name="Sophie",
            email="sophie@example.com",
            password="quiet-morning-walk",
            timezone="Europe/London",
        )
        templates.ensure_shipped(maya)
        note = notes.start_note(sophie, maya, templates.templates_of(maya.id)[0], context="HIT-6 58.")
        notes.save_draft(note, 1, "Note", TEXTS)
        notes.sign_note(note, 2, maya)
        notes.amend_note(note, maya, "Reason", "Amended text")
        note_id, maya_id = note.id, maya.id
        old_body = db.session.execute(text("SELECT body FROM notes")).scalar_one()
    both = app_factory(ENCRYPTION_KEYS=f"{new},{old}")
    result = both.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    with app_factory(ENCRYPTION_KEYS=new).app_context():  # the old key is gone
        assert db.session.execute(text("SELECT body FROM notes")).scalar_one() != old_body
        loaded = notes.note_for_practitioner(note_id, maya_id)
        assert [s["text"] for s in notes.sections_of(loaded)] == TEXTS
        assert loaded.amendments[0].text == "Amended text"
        assert notes.verify_seal(loaded, loaded.amendments).intact


def test_erasing_a_client_removes_her_notes_and_amendments(signed, maya, sophie, template, make_booking):
    session = make_booking(sophie, in_days=-1, status="completed")
    notes.amend_note(signed, maya, "Reason", "Text")
    notes.start_note(sophie, maya, template, booking=session)
    erase_client(sophie)
    db.session.commit()
    assert db.session.execute(text("SELECT count(*) FROM notes")).scalar() == 0
    assert db.session.execute(text("SELECT count(*) FROM note_amendments")).scalar() == 0
    assert len(templates.templates_of(maya.id)) == 4  # hers, not the client's
