"""Health free text is stored as Fernet tokens and read back as text."""

from datetime import date

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from portal.config import ConfigError, load_config
from portal.crypto import DecryptionError, decrypt_text, encrypt_text
from portal.extensions import db
from portal.models import DiaryEntry


def test_encrypt_then_decrypt_gives_the_text_back(app):
    token = encrypt_text("Chocolate and red wine, then a migraine")
    assert "migraine" not in token
    assert decrypt_text(token) == "Chocolate and red wine, then a migraine"


def test_the_same_text_encrypts_differently_each_time(app):
    assert encrypt_text("same") != encrypt_text("same")


def test_a_token_from_an_unknown_key_is_refused_without_showing_it(app):
    foreign = Fernet(Fernet.generate_key()).encrypt(b"secret symptom").decode()
    with pytest.raises(DecryptionError) as error:
        decrypt_text(foreign)
    assert "secret symptom" not in str(error.value)


def test_diary_note_is_stored_encrypted_and_read_back(app, client_user):
    db.session.add(DiaryEntry(client_id=client_user.id, day=date(2026, 11, 1), note="Aura after cheese at lunch"))
    db.session.commit()
    raw = db.session.execute(text("SELECT note FROM diary_entries")).scalar_one()
    assert "cheese" not in raw and raw.startswith("gAAAA")
    db.session.expire_all()
    assert db.session.execute(db.select(DiaryEntry)).scalar_one().note == "Aura after cheese at lunch"


def test_development_generates_one_private_key_in_the_instance_folder(tmp_path):
    first = load_config({"PORTAL_ENV": "development"}, tmp_path)["ENCRYPTION_KEYS"]
    again = load_config({"PORTAL_ENV": "development"}, tmp_path)["ENCRYPTION_KEYS"]
    assert first == again and len(first) == 1
    assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_keys(tmp_path):
    environ = {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 40, "BASE_URL": "https://portal.example"}
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS is not set"):
        load_config(environ, tmp_path)


def test_keys_are_read_newest_first_and_checked(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert load_config({"ENCRYPTION_KEYS": f" {new} , {old} "}, tmp_path)["ENCRYPTION_KEYS"] == [new, old]
    with pytest.raises(ConfigError, match="key number 2 is not a Fernet key"):
        load_config({"ENCRYPTION_KEYS": f"{new},not-a-key"}, tmp_path)


def test_migrations_write_the_column_as_plain_text():
    from portal.crypto import EncryptedText
    from portal.db_types import render_alembic_item

    assert render_alembic_item("type", EncryptedText(), None) == "sa.Text()"
