"""The export: one ZIP with every record about the client, decrypted, her FHIR responses, no secrets."""

import io
import json
import zipfile

from portal.extensions import db
from portal.models import DiaryMealPhoto, Role, UserSession
from portal.records import export
from portal.records.ownership import owned_tables
from tests.conftest import log_in
from tests.handouts.conftest import pdf_text
from tests.consent.conftest import CONSENT_TEXT, publish_document, sign_as
from tests.records.conftest import CONDITIONS, DIARY_NOTE, PAYMENT_NOTE, REFUND_REASON, publish_a_handout


def _open(archive) -> tuple[dict, zipfile.ZipFile]:
    zipped = zipfile.ZipFile(io.BytesIO(archive.content))
    return json.loads(zipped.read("records.json")), zipped


def test_the_archive_holds_every_kind_of_record_decrypted(app, clara):
    document, zipped = _open(export.build_archive(clara.client, for_practitioner=True))
    tables = document["tables"]
    assert document["account"]["email"] == "clara@example.com"
    assert tables["diary_entries"][0]["note"] == DIARY_NOTE
    assert tables["client_profiles"][0]["conditions"] == CONDITIONS
    assert tables["profile_changes"][0]["fields"] == "phone,conditions,medication"
    assert tables["bookings"][0]["id"] == clara.booking.id
    assert {e["action"] for e in tables["booking_events"]} >= {"created"}
    assert tables["payments"][0]["note"] == PAYMENT_NOTE
    assert tables["refunds"][0]["reason"] == REFUND_REASON
    assert tables["questionnaire_responses"][0]["code"] == "phq9"
    assert tables["audit_events"][0]["what"] == "profile"


def test_every_table_holding_her_rows_is_in_the_export(app, clara):
    document, _ = _open(export.build_archive(clara.client, for_practitioner=True))
    for item in owned_tables(clara.client.id):
        has_rows = db.session.execute(db.select(item.table).where(item.condition).limit(1)).first() is not None
        assert not has_rows or document["tables"][item.table.name], item.table.name


def test_no_password_hash_session_token_hash_or_payment_secret(app, clara):
    browser = app.test_client()
    log_in(browser, "clara@example.com")
    token_hash = db.session.execute(db.select(UserSession.token_hash)).scalar_one()
    archive = export.build_archive(clara.client, for_practitioner=True)
    document, _ = _open(archive)
    assert "password_hash" not in document["account"]
    assert clara.client.password_hash not in json.dumps(document)
    assert all("stripe_client_secret" not in row for row in document["tables"]["payments"])
    (login,) = document["tables"]["user_sessions"]  # when and on what she logged in is hers to see
    assert login["device"] and "token_hash" not in login and token_hash not in json.dumps(document)


def test_questionnaire_responses_come_as_fhir(app, clara):
    document, zipped = _open(export.build_archive(clara.client, for_practitioner=True))
    (name,) = [n for n in zipped.namelist() if n.startswith("fhir/")]
    resource = json.loads(zipped.read(name))
    assert resource["resourceType"] == "QuestionnaireResponse"
    assert resource["subject"]["reference"] == f"Patient/{clara.client.id}"
    assert len(resource["item"]) == 10 and name in document["files"]  # the nine items and the difficulty question


def test_another_clients_records_are_not_included(app, clara, make_user):
    other = make_user(Role.CLIENT)
    document, zipped = _open(export.build_archive(other, for_practitioner=True))
    assert DIARY_NOTE not in json.dumps(document) and not [n for n in zipped.namelist() if n.startswith("fhir/")]
    own = document["tables"].pop("attention_summaries")  # her own list row, made with her account: empty
    assert [(row["client_id"], row["flags"]) for row in own] == [(other.id, [])]
    assert all(rows == [] for rows in document["tables"].values())


def test_the_clients_own_export_leaves_out_practitioner_only_tables(app, clara):
    private = export._excluded_tables(for_practitioner=False)
    document, _ = _open(export.build_archive(clara.client, for_practitioner=False))
    assert not private & set(document["tables"])
    assert document["includes_practitioner_notes"] is False
    assert document["tables"]["diary_entries"][0]["note"] == DIARY_NOTE


def test_handout_pdfs_are_in_the_archive_once(app, clara):
    handout = publish_a_handout(clara)
    document, zipped = _open(export.build_archive(clara.client, for_practitioner=False))
    pdfs = [n for n in zipped.namelist() if n.endswith(".pdf")]
    assert pdfs == [f"handouts/{handout.filename}"] and zipped.read(pdfs[0]).startswith(b"%PDF")
    assert "Clara Client" in pdf_text(zipped.read(pdfs[0]))  # decrypted: the real PDF, as stored encrypted
    # Beside it only the e-mails still waiting in the outbox (her handout's, here), as messages, once each.
    assert [n for n in zipped.namelist() if n.startswith("files/") and not n.startswith("files/outbox/")] == []
    waiting = [n for n in zipped.namelist() if n.startswith("files/outbox/")]
    assert waiting and all(n.endswith(".eml") for n in waiting)
    assert len(waiting) == sum(1 for row in document["tables"]["outbox"] if row["raw"] is not None)
    (stored,) = document["tables"]["stored_files"]
    assert stored["content"] == {"file": pdfs[0], "bytes": handout.size}


def test_case_notes_are_in_the_practitioners_export_only(app, clara, practice):
    from portal.cases import notes, templates as note_templates

    note_templates.ensure_shipped(practice.practitioner)
    template = note_templates.templates_of(practice.practitioner.id)[0]
    note = notes.start_note(clara.client, practice.practitioner, template)
    notes.save_draft(
        note,
        note.revision,
        "Follow-up",
        ["Fewer attacks since cutting aged cheese"] + [""] * (len(notes.sections_of(note)) - 1),
    )
    db.session.commit()
    mine, _ = _open(export.build_archive(clara.client, for_practitioner=True))
    hers, _ = _open(export.build_archive(clara.client, for_practitioner=False))
    assert "aged cheese" in json.dumps(mine["tables"]["notes"])
    assert "notes" not in hers["tables"] and "aged cheese" not in json.dumps(hers)


def test_the_e_mails_to_her_are_in_both_exports_sent_ones_without_their_text(app, clara):
    from portal import outbox

    outbox.deliver_due()  # her booking's e-mails go out (to the outbox folder): only their metadata stays
    for for_practitioner in (False, True):
        document, _ = _open(export.build_archive(clara.client, for_practitioner=for_practitioner))
        rows = document["tables"]["outbox"]
        assert rows and {row["template"] for row in rows} >= {"booking_confirmed"}
        assert all(row["status"] == "sent" and row["raw"] is None for row in rows)
        assert all(row["recipient_id"] == clara.client.id for row in rows)  # not the practitioner's copies


def test_her_signed_documents_are_in_both_exports_with_the_text_and_hash(app, clara, practice):
    version = publish_document(practice.practitioner, "consent", CONSENT_TEXT)
    signature = sign_as(clara.client, version)
    for for_practitioner in (True, False):
        document, _ = _open(export.build_archive(clara.client, for_practitioner=for_practitioner))
        (row,) = document["tables"]["consent_signatures"]
        assert (row["id"], row["text"], row["text_sha256"]) == (signature.id, CONSENT_TEXT, version.text_sha256)
        assert row["ip_address"] == "203.0.113.7"  # decrypted in her archive


def test_messages_and_their_files_are_in_both_exports_decrypted(app, clara, practice):
    from portal.messages import conversations
    from portal.messages.attachments import clean_upload

    pdf = b"%PDF-1.4\nher calprotectin result\n%%EOF\n"
    conversations.send_message(
        clara.client, clara.client, "My calprotectin came back at 80", [clean_upload("lab.pdf", pdf)]
    )
    conversations.send_message(clara.client, practice.practitioner, "Thank you, we will go through it.", [])
    for for_practitioner in (False, True):
        document, zipped = _open(export.build_archive(clara.client, for_practitioner=for_practitioner))
        tables = document["tables"]
        assert sorted(m["body"] for m in tables["messages"]) == [
            "My calprotectin came back at 80",
            "Thank you, we will go through it.",
        ]
        assert tables["conversations"][0]["client_id"] == clara.client.id
        (attachment,) = tables["message_attachments"]
        assert attachment["filename"] == "lab.pdf" and attachment["content_type"] == "application/pdf"
        assert zipped.read(attachment["content"]["file"]) == pdf


def test_meals_their_tags_day_tags_and_photos_are_in_both_exports(app, clara):
    from tests.records.conftest import MEAL_DESCRIPTION, add_a_meal

    add_a_meal(clara.client)
    photo = db.session.execute(db.select(DiaryMealPhoto)).scalar_one()
    for for_practitioner in (False, True):
        document, zipped = _open(export.build_archive(clara.client, for_practitioner=for_practitioner))
        tables = document["tables"]
        (meal,) = tables["diary_meals"]
        assert (meal["kind"], meal["description"]) == ("snack", MEAL_DESCRIPTION)
        labels = document["trigger_tags"]
        assert sorted(labels[str(t["tag_id"])] for t in tables["diary_meal_tags"]) == ["Aged cheese", "Dairy"]
        assert [labels[str(t["tag_id"])] for t in tables["diary_day_tags"]] == ["Ate late"]
        (stored,) = tables["diary_meal_photos"]
        assert stored["content"]["file"].endswith(".jpg")
        assert zipped.read(stored["content"]["file"]) == photo.content


def test_supplement_ticks_are_in_the_export(app, clara):
    from tests.records.conftest import add_a_meal

    entry = add_a_meal(clara.client)
    from portal.models import SupplementDose

    line = _a_protocol_line(clara)
    db.session.add(SupplementDose(entry_id=entry.id, client_id=clara.client.id, protocol_line_id=line, taken=True))
    db.session.commit()
    document, _ = _open(export.build_archive(clara.client, for_practitioner=False))
    assert [(d["protocol_line_id"], d["taken"]) for d in document["tables"]["supplement_doses"]] == [(line, True)]


def _a_protocol_line(clara) -> int:
    from portal.models import Protocol, ProtocolLine

    protocol = Protocol(
        booking_id=clara.booking.id, client_id=clara.client.id, practitioner_id=clara.booking.practitioner_id
    )
    db.session.add(protocol)
    db.session.flush()
    line = ProtocolLine(protocol_id=protocol.id, category="supplement", title="Magnesium")
    db.session.add(line)
    db.session.flush()
    return line.id
