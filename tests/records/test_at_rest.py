"""Nothing clinical in plaintext at rest: once a client has a record of every kind, a case note, a composed
protocol and a published handout, no raw row of any table in the database (plain SQL, every column) and no
file the portal wrote holds any of the text typed about her, and the stored PDF is ciphertext.

The scan covers every table the database has, not a list: a table or column added later in plain text is
caught as soon as something typed about a client lands in it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect, text

from portal.cases import notes, templates as note_templates
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.handouts.protocols import ItemText
from portal.models import StoredFile
from tests.conftest import deliver_outbox, log_in, submit_form
from tests.handouts.conftest import pdf_text
from tests.records.conftest import CONDITIONS, DIARY_NOTE, PAYMENT_NOTE, REFUND_REASON

# Every piece of text written for her below carries this word; it must not be readable anywhere at rest.
MARKER = "Quokka"
SUMMARY = "Quokka summary: porridge with oat bran eased the Tuesday aura."
FOCUS = "Quokka focus: ginger before the afternoon slump\nQuokka focus: a walk after lunch"
NEXT_STEPS = "Quokka next: note every histamine-rich meal"
ADJUSTED = ItemText(
    "supplement",
    "Quokka title: magnesium for her",
    "Quokka dose: 150 mg for a week",
    "Quokka timing: with the evening meal",
    "Quokka duration: nine weeks",
    "Quokka instructions: halve it if her tummy is upset",
    "Quokka rationale: calms her nerves",
)
ONE_OFF = ItemText(
    "other",
    "Quokka one-off: slippery elm",
    "Quokka dose: 5 ml",
    "Quokka timing: at dusk",
    "Quokka duration: until the flare settles",
    "Quokka instructions: stir into warm water",
    "Quokka rationale: soothes the gut lining",
)
NOTE_TEXT = "Quokka note: fewer attacks since cutting aged cheese"
TYPED_ABOUT_HER = (MARKER, DIARY_NOTE, CONDITIONS, PAYMENT_NOTE, REFUND_REASON, "Rizatriptan")


def _compose_and_publish(clara, practice, client) -> int:
    """Her protocol as the practitioner writes it (a library item adjusted for her, a one-off), published
    from the page, which also e-mails her; the handout's id."""
    maya = practice.practitioner
    item = protocols.save_item(
        None,
        maya,
        ItemText("supplement", "Magnesium glycinate", "300 mg", "With your evening meal", "3 months", "", ""),
    )
    protocol = protocols.protocol_for(clara.booking)
    protocols.save_protocol(
        protocol,
        summary=SUMMARY,
        focus_points=FOCUS,
        next_steps=NEXT_STEPS,
        lines=[],
        add_items=[item],
        add_one_off=ONE_OFF,
    )
    protocols.save_protocol(
        protocols.protocol_for(clara.booking),
        summary=SUMMARY,
        focus_points=FOCUS,
        next_steps=NEXT_STEPS,
        lines=[ADJUSTED, ONE_OFF],
    )
    note_templates.ensure_shipped(maya)
    note = notes.start_note(clara.client, maya, note_templates.templates_of(maya.id)[0])
    notes.save_draft(note, note.revision, "Follow-up", [NOTE_TEXT] + [""] * (len(notes.sections_of(note)) - 1))
    db.session.commit()
    log_in(client, maya.email)
    booking_id = clara.booking.id
    page = submit_form(
        client,
        f"/practitioner/sessions/{booking_id}/protocol/publish",
        {},
        form_url=f"/practitioner/sessions/{booking_id}/protocol/preview",
        follow_redirects=True,
    )
    assert "Published version 1" in page.get_data(as_text=True)
    db.session.expire_all()
    (handout,) = handouts.published_handouts(clara.client.id)
    return handout.id


def _as_text(value: object) -> str | None:
    """A stored value as text to search, or None for values that cannot hold text (numbers, dates)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (dict, list)):  # PostgreSQL hands JSON columns back parsed
        return json.dumps(value, ensure_ascii=False)
    return None


def plaintext_at_rest(markers: tuple[str, ...]) -> list[str]:
    """Every `table.column` of the database whose raw value holds one of the markers, or a plain PDF."""
    found = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')).mappings():
            for column, value in row.items():
                stored = _as_text(value)
                if stored is None:
                    continue
                if any(marker.lower() in stored.lower() for marker in markers) or stored.startswith("%PDF"):
                    found.append(f"{table}.{column}")
    return sorted(set(found))


def test_no_table_holds_her_text_or_her_handout_in_plaintext(app, clara, practice, client):
    handout_id = _compose_and_publish(clara, practice, client)
    handout = handouts.published_handouts(clara.client.id)[0]
    assert handout.id == handout_id
    flat = " ".join(pdf_text(handouts.handout_pdf(handout)).split())
    assert "Quokka summary" in flat and "Quokka one-off" in flat  # the PDF carries her text

    assert plaintext_at_rest(TYPED_ABOUT_HER) == []

    raw = db.session.execute(text("SELECT content FROM stored_files")).scalar_one()
    assert bytes(raw).startswith(b"gAAAA")  # a Fernet token, not a PDF
    assert db.session.get(StoredFile, handout.storage_key).content == handouts.handout_pdf(handout)


def test_the_scan_finds_plaintext_when_there_is_some(app, practice):
    """The scan itself works: her library text is plain by design, and a plain PDF would be caught."""
    protocols.save_item(None, practice.practitioner, ItemText("diet", "Quokka in the library"))
    db.session.execute(
        text(
            "INSERT INTO stored_files (key, client_id, content_type, content, created_at) "
            "VALUES ('probe', NULL, 'application/pdf', :pdf, CURRENT_TIMESTAMP)"
        ),
        {"pdf": b"%PDF-1.7 plain"},
    )
    assert plaintext_at_rest((MARKER,)) == ["protocol_items.title", "stored_files.content"]
    db.session.rollback()


def test_no_file_the_portal_wrote_holds_her_text(app, clara, practice, client):
    _compose_and_publish(clara, practice, client)
    deliver_outbox(app)  # as the worker would: the e-mails are written to instance/outbox/
    written = [path for path in Path(app.instance_path).rglob("*") if path.is_file()]
    assert any(path.suffix == ".eml" for path in written)  # the "your handout is ready" e-mail, among others
    for path in written:
        content = path.read_bytes().decode("latin-1").lower()
        assert not [m for m in TYPED_ABOUT_HER if m.lower() in content], path.name


def test_her_meals_and_their_photos_are_not_stored_in_plaintext(app, clara):
    from portal.models import DiaryMealPhoto
    from tests.records.conftest import MEAL_DESCRIPTION, add_a_meal

    add_a_meal(clara.client)
    assert plaintext_at_rest((MEAL_DESCRIPTION, "gouda")) == []
    raw = db.session.execute(text("SELECT content FROM diary_meal_photos")).scalar_one()
    assert bytes(raw).startswith(b"gAAAA") and b"\xff\xd8" not in bytes(raw)[:4]
    assert db.session.execute(db.select(DiaryMealPhoto)).scalar_one().content.startswith(b"\xff\xd8")
