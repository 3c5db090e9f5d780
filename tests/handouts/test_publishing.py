"""Publishing a handout: the real PDF, its text, its storage, versions and what a failure leaves behind."""

from __future__ import annotations

import hashlib
from datetime import datetime, UTC

import pytest
from sqlalchemy import insert, text

from portal.extensions import db
from portal.handouts import handouts, rendering, storage
from portal.handouts.handouts import HandoutError
from portal.models import PublishedHandout, StoredFile
from tests.handouts.conftest import LIBRARY, pdf_page_png, pdf_text


def test_the_published_pdf_carries_her_name_the_date_every_item_the_chart_and_page_numbers(composed):
    handout = handouts.publish_handout(composed.booking)
    pdf = handouts.handout_pdf(handout)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "Clara Client" in flat
    assert "3 March 2026" in flat
    for item in LIBRARY:
        assert item.title.split(":")[0] in flat, item.title
    assert "300 mg" in flat and "With breakfast" in flat
    assert "most migraines follow poor sleep" in flat
    assert "Regular sleep" in flat and "Keep your diary every day" in flat
    # the charts: instrument titles, band labels and the points' dates
    assert "HIT-6" in flat and "IBS-SSS" in flat
    assert "severe impact" in flat and "moderate" in flat
    assert "6 Jan" in flat and "3 Feb" in flat
    assert "58, down 3 from 61" in flat
    pages = text.count("\f")
    assert pages >= 1 and f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    assert "Migraine & Gut Health Practice" in flat
    pdf_page_png(pdf, "handout-page-1")


def test_the_pdf_is_stored_with_its_version_and_checksum_in_the_database(composed):
    handout = handouts.publish_handout(composed.booking)
    stored = db.session.get(StoredFile, handout.storage_key)
    assert stored.client_id == composed.client.id
    assert handout.version == 1
    assert handout.checksum == hashlib.sha256(stored.content).hexdigest()
    assert handout.size == len(stored.content)
    assert handouts.published_handouts(composed.client.id) == [handout]


def test_republishing_makes_version_2_and_keeps_version_1(composed):
    first = handouts.publish_handout(composed.booking)
    second = handouts.publish_handout(composed.booking)
    assert (first.version, second.version) == (1, 2)
    assert [h.version for h in handouts.published_handouts(composed.client.id)] == [2, 1]
    assert handouts.handout_pdf(first).startswith(b"%PDF")


def test_a_download_serves_the_stored_bytes_and_never_renders_again(composed, monkeypatch):
    handout = handouts.publish_handout(composed.booking)
    expected = db.session.get(StoredFile, handout.storage_key).content

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(rendering, "render_pdf", no_rendering)
    assert handouts.handout_pdf(handout) == expected


def test_the_pdf_is_stored_encrypted_and_served_as_the_bytes_that_were_published(composed):
    handout = handouts.publish_handout(composed.booking)
    raw = bytes(db.session.execute(text("SELECT content FROM stored_files")).scalar_one())
    assert raw.startswith(b"gAAAA") and hashlib.sha256(raw).hexdigest() != handout.checksum
    pdf = handouts.handout_pdf(handout)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == handout.checksum


def test_a_stored_file_that_no_longer_matches_its_checksum_is_never_served(composed):
    handout = handouts.publish_handout(composed.booking)
    stored = db.session.get(StoredFile, handout.storage_key)
    pdf = stored.content
    stored.content = pdf[:500] + bytes([pdf[500] ^ 1]) + pdf[501:]  # one bit flipped, same size
    db.session.commit()
    with pytest.raises(handouts.HandoutDamaged):
        handouts.handout_pdf(handout)


def test_a_rendering_failure_leaves_no_handout_and_no_file(composed, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        handouts.publish_handout(composed.booking)
    db.session.rollback()
    assert db.session.execute(db.select(PublishedHandout)).first() is None
    assert db.session.execute(db.select(StoredFile)).first() is None


def test_a_storage_failure_after_rendering_leaves_nothing_half_published(composed, monkeypatch):
    def failing_put(self, key, content, **kwargs):
        db.session.add(
            storage.StoredFile(key=key, content=content, content_type="application/pdf", client_id=kwargs["client_id"])
        )
        raise OSError("disk full")

    monkeypatch.setattr(storage.DatabaseStorage, "put", failing_put)
    with pytest.raises(OSError):
        handouts.publish_handout(composed.booking)
    assert db.session.execute(db.select(PublishedHandout)).first() is None
    assert db.session.execute(db.select(StoredFile)).first() is None


def test_her_next_booked_session_is_printed_as_her_next_appointment(composed, make_booking):
    make_booking(composed.client, start=datetime(2026, 4, 14, 13, 30, tzinfo=UTC), status="confirmed")
    make_booking(composed.client, start=datetime(2026, 3, 20, 9, 0, tzinfo=UTC), status="cancelled")
    text = " ".join(pdf_text(handouts.handout_pdf(handouts.publish_handout(composed.booking))).split())
    assert "YOUR NEXT APPOINTMENT Tuesday 14 April 2026 at 14:30 · Follow-up (Europe/London time)" in text


def test_two_publishings_at_once_never_make_two_handouts_with_the_same_version(composed, monkeypatch):
    original_put = storage.DatabaseStorage.put

    def put_after_a_rival(self, key, content, **kwargs):
        with db.engine.begin() as other:  # another web worker publishes version 1 first
            other.execute(
                insert(PublishedHandout.__table__).values(
                    booking_id=composed.booking.id,
                    client_id=composed.client.id,
                    practitioner_id=composed.booking.practitioner_id,
                    version=1,
                    session_date=datetime(2026, 3, 3).date(),
                    session_title="Follow-up, 3 March 2026",
                    storage_key="rival",
                    checksum="0" * 64,
                    size=1,
                    published_at=datetime.now(UTC),
                )
            )
        original_put(self, key, content, **kwargs)

    monkeypatch.setattr(storage.DatabaseStorage, "put", put_after_a_rival)
    with pytest.raises(HandoutError, match="published at the same moment"):
        handouts.publish_handout(composed.booking)
    assert [h.storage_key for h in handouts.published_handouts(composed.client.id)] == ["rival"]
    assert db.session.execute(db.select(StoredFile)).first() is None


def test_a_session_with_no_protocol_yet_still_publishes_a_handout(session):
    handout = handouts.publish_handout(session.booking)
    assert handout.version == 1
    assert session.client.name in pdf_text(handouts.handout_pdf(handout))
