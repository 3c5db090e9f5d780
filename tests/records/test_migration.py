"""The migration encrypts the free text already stored, and its downgrade gives it back as plain text."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db
from portal.models import DiaryEntry, Payment
from tests.records.conftest import PAYMENT_NOTE, REFUND_REASON

NOTE = "Skipped lunch, migraine by four"


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def _raw(sql: str) -> str:
    return db.session.execute(text(sql)).scalar_one()


def test_free_text_is_decrypted_on_downgrade_and_encrypted_on_upgrade(app, clara):
    db.session.add(DiaryEntry(client_id=clara.client.id, day=date(2026, 11, 4), note=NOTE))
    db.session.commit()
    columns = {
        "SELECT note FROM diary_entries WHERE day = '2026-11-04'": NOTE,
        "SELECT note FROM payments": PAYMENT_NOTE,
        "SELECT reason FROM refunds": REFUND_REASON,
    }
    assert all(_raw(sql) != plain for sql, plain in columns.items())
    db.session.remove()
    try:
        downgrade(revision="a5c0ffee0005")
        assert all(_raw(sql) == plain for sql, plain in columns.items())
        db.session.remove()
    finally:
        upgrade()
    for sql, plain in columns.items():
        assert _raw(sql).startswith("gAAAA") and plain not in _raw(sql)
    db.session.expire_all()
    assert db.session.execute(db.select(Payment.note)).scalar_one() == PAYMENT_NOTE
    assert db.session.execute(db.select(DiaryEntry.note).filter_by(day=date(2026, 11, 4))).scalar_one() == NOTE
