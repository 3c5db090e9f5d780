"""The migration encrypts diary notes already stored, and its downgrade gives them back as plain text."""
from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db
from portal.models import DiaryEntry

NOTE = "Skipped lunch, migraine by four"


def _raw_note() -> str:
    return db.session.execute(text("SELECT note FROM diary_entries")).scalar_one()


def test_diary_notes_are_decrypted_on_downgrade_and_encrypted_on_upgrade(app, client_user):
    db.session.add(DiaryEntry(client_id=client_user.id, day=date(2026, 11, 4), note=NOTE))
    db.session.commit()
    assert _raw_note() != NOTE
    db.session.remove()
    try:
        downgrade(revision="a5c0ffee0005")
        assert _raw_note() == NOTE
        db.session.remove()
    finally:
        upgrade()
    raw = _raw_note()
    assert raw.startswith("gAAAA") and "migraine" not in raw
    db.session.expire_all()
    assert db.session.execute(db.select(DiaryEntry.note)).scalar_one() == NOTE
