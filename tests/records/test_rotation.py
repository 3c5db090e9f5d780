"""`flask rotate-keys`: every encrypted column in every table is re-encrypted with the newest key."""

from datetime import date

from cryptography.fernet import Fernet
from sqlalchemy import text

from portal.extensions import db
from portal.handouts import handouts
from portal.handouts.protocols import ItemText, protocol_for, save_protocol
from portal.models import DiaryEntry, Protocol, ProtocolLine, PublishedHandout, Role
from portal.records import profiles
from portal.records.rotation import encrypted_columns
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.records.conftest import publish_a_handout

DIARY = "Felt the aura start after the cheese board"
CONDITIONS = "Chronic migraine with aura; IBS-C"
SUMMARY = "Your migraines follow short nights and unsettled gut days."


def _raw_tokens() -> list[str]:
    """Every stored token in every encrypted column (text or bytes), read with plain SQL."""
    tokens = []
    for item in encrypted_columns():
        for name in item.columns:
            values = db.session.execute(text(f"SELECT {name} FROM {item.table.name}")).scalars()
            tokens += [v if isinstance(v, str) else bytes(v).decode("ascii") for v in values if v]
    return tokens


def _write_health_text(client_id: int) -> None:
    db.session.add(DiaryEntry(client_id=client_id, day=date(2026, 11, 2), note=DIARY))
    profiles.save_profile(client_id, None, {"conditions": CONDITIONS, "allergies": "Penicillin"}, None)
    db.session.commit()


def _read_back(client_id: int) -> tuple[str, str]:
    db.session.expire_all()
    note = db.session.execute(db.select(DiaryEntry.note)).scalar_one()
    return note, profiles.profile_for(client_id).conditions


def test_the_schema_lists_every_encrypted_column(app):
    found = {item.table.name: item.columns for item in encrypted_columns()}
    assert found["diary_entries"] == ("note",)
    assert "medication" in found["client_profiles"] and "changes" in found["profile_changes"]
    assert found["protocols"] == ("summary", "focus_points", "next_steps")
    assert found["protocol_lines"] == ("title", "dose", "timing", "duration", "instructions", "rationale")
    assert found["stored_files"] == ("content",)
    assert found["messages"] == ("body",)
    assert found["message_attachments"] == ("filename", "content")
    assert found["diary_meals"] == ("description",)
    assert found["diary_meal_photos"] == ("content",)
    assert "protocol_items" not in found  # her library: her own text, about no client


def test_raw_rows_hold_no_plaintext(app, make_user):
    clara = make_user(Role.CLIENT)
    _write_health_text(clara.id)
    tokens = _raw_tokens()
    assert len(tokens) >= 4
    for token in tokens:
        assert "aura" not in token and "migraine" not in token.lower() and "Penicillin" not in token
        assert token.startswith("gAAAA")


def test_rotate_then_drop_the_old_key_and_everything_still_reads(app_factory, tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = app_factory(ENCRYPTION_KEYS=old)
    with before.app_context():
        from portal.accounts import users

        clara = users.create_user(
            role=Role.CLIENT,
            name="Clara",
            email="clara@example.com",
            password="quiet-morning-walk",
            timezone="Europe/London",
        )
        _write_health_text(clara.id)
        clara_id = clara.id
        old_tokens = _raw_tokens()

    both = app_factory(ENCRYPTION_KEYS=f"{new},{old}")
    runner = both.test_cli_runner()
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "diary_entries: 1 rows re-encrypted" in result.output
    with both.app_context():
        assert _read_back(clara_id) == (DIARY, CONDITIONS)
        new_tokens = _raw_tokens()
        assert set(new_tokens).isdisjoint(old_tokens)
        for token in new_tokens:
            Fernet(new).decrypt(token.encode())  # raises unless made with the new key

    after = app_factory(ENCRYPTION_KEYS=new)
    with after.app_context():
        assert _read_back(clara_id) == (DIARY, CONDITIONS)


def test_rotation_covers_protocols_and_handout_pdfs(app, app_factory, clara):
    """Written with the suite's key, rotated to a new one: the protocol and the PDF read back with the new key
    alone, and the download is the same bytes, checksum and all."""
    protocol = protocol_for(clara.booking)
    save_protocol(
        protocol,
        summary=SUMMARY,
        focus_points="Sleep",
        next_steps="Diary",
        lines=[],
        add_one_off=ItemText("supplement", "Slippery elm", "5 ml", "At night", "4 weeks"),
    )
    handout = publish_a_handout(clara)
    pdf, handout_id = handouts.handout_pdf(handout), handout.id
    old_tokens = _raw_tokens()
    db.session.remove()
    new = Fernet.generate_key().decode()

    both = app_factory(ENCRYPTION_KEYS=f"{new},{TEST_ENCRYPTION_KEY}")
    with both.app_context():  # the command runs in the current app, which must be this one, not the fixture's
        result = both.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0, result.output
        for line in ("protocols: 1 rows", "protocol_lines: 1 rows", "stored_files: 1 rows"):
            assert line in result.output
        new_tokens = _raw_tokens()
        assert set(new_tokens).isdisjoint(old_tokens)
        for token in new_tokens:
            Fernet(new).decrypt(token.encode())

    with app_factory(ENCRYPTION_KEYS=new).app_context():
        protocol = db.session.execute(db.select(Protocol)).scalar_one()
        assert protocol.summary == SUMMARY
        assert db.session.execute(db.select(ProtocolLine.dose)).scalar_one() == "5 ml"
        assert handouts.handout_pdf(db.session.get(PublishedHandout, handout_id)) == pdf


def test_rotation_covers_messages_and_their_files(app, app_factory, make_user):
    from portal.messages import conversations
    from portal.messages.attachments import clean_upload
    from portal.models import Message, MessageAttachment

    clara = make_user(Role.CLIENT)
    pdf = b"%PDF-1.4\nlab result\n%%EOF\n"
    conversations.send_message(clara, clara, "Flare since Tuesday", [clean_upload("lab.pdf", pdf)])
    db.session.remove()
    new = Fernet.generate_key().decode()
    both = app_factory(ENCRYPTION_KEYS=f"{new},{TEST_ENCRYPTION_KEY}")
    with both.app_context():
        result = both.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0, result.output
        assert "messages: 1 rows" in result.output and "message_attachments: 1 rows" in result.output
    with app_factory(ENCRYPTION_KEYS=new).app_context():
        assert db.session.execute(db.select(Message.body)).scalar_one() == "Flare since Tuesday"
        attachment = db.session.execute(db.select(MessageAttachment)).scalar_one()
        assert (attachment.filename, attachment.content) == ("lab.pdf", pdf)
