"""The documents' rules: versions are numbered and frozen, signatures keep the exact text's hash and are never
changed, the gate asks only for published documents and asks again for a new version."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from portal.consent import documents
from portal.consent.documents import ConsentError, VersionOutOfDate
from portal.extensions import db
from portal.models import ConsentFrozen, ConsentSignature, ConsentVersion, Role
from portal.records import rotation
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.consent.conftest import CONSENT_TEXT, TERMS_TEXT, publish_document, sign_as

NEW_KEY = "bmV3LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzLTAwMDA="


def test_without_a_published_document_nothing_is_asked(app, practice, client_user):
    documents.create_document("consent", "", practice.practitioner)  # a draft, never published
    assert documents.unsigned_versions(client_user.id) == []
    assert documents.consent_status(client_user.id).all_signed


def test_each_published_document_is_asked_for_until_she_signs_it(app, published, client_user):
    assert [v.title for v in documents.unsigned_versions(client_user.id)] == [
        "Consent to care",
        "Terms and cancellation policy",
    ]
    sign_as(client_user, published[0])
    assert [v.id for v in documents.unsigned_versions(client_user.id)] == [published[1].id]
    sign_as(client_user, published[1])
    assert documents.unsigned_versions(client_user.id) == []


def test_a_new_version_is_asked_for_again_and_the_old_signature_stays(app, practice, published, client_user):
    first = sign_as(client_user, published[0])
    sign_as(client_user, published[1])
    document = documents.document_with_versions(published[0].document_id)
    documents.save_draft(document, document.title, CONSENT_TEXT + "\n\nSessions may be recorded only if I agree.")
    second = documents.publish(document, practice.practitioner, documents.draft_fingerprint(document))
    assert second.number == 2
    assert [v.id for v in documents.unsigned_versions(client_user.id)] == [second.id]
    assert db.session.get(ConsentSignature, first.id).text == CONSENT_TEXT


def test_versions_are_numbered_and_editing_after_publishing_leaves_the_version_as_it_was(app, practice):
    version = publish_document(practice.practitioner, "terms", TERMS_TEXT)
    document = documents.document_with_versions(version.document_id)
    documents.save_draft(document, "Terms", "Changed terms")
    db.session.expire_all()
    assert db.session.get(ConsentVersion, version.id).text == TERMS_TEXT
    assert documents.has_unpublished_changes(documents.document_with_versions(version.document_id))
    with pytest.raises(ConsentError, match="changed in another tab"):
        documents.publish(document, practice.practitioner, "a fingerprint of another draft")
    again = documents.publish(document, practice.practitioner, documents.draft_fingerprint(document))
    assert (version.number, again.number, again.text) == (1, 2, "Changed terms")


def test_an_unchanged_or_empty_draft_is_not_published(app, practice):
    version = publish_document(practice.practitioner, "terms", TERMS_TEXT)
    document = documents.document_with_versions(version.document_id)
    with pytest.raises(ConsentError, match="same as the published version"):
        documents.publish(document, practice.practitioner, documents.draft_fingerprint(document))
    empty = documents.create_document("privacy", "", practice.practitioner)
    with pytest.raises(ConsentError, match="Write the document"):
        documents.publish(empty, practice.practitioner, documents.draft_fingerprint(empty))


def test_the_orm_refuses_to_change_a_published_version(app, published):
    published[0].text = "Something she never signed"
    with pytest.raises(ConsentFrozen):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ConsentVersion, published[0].id).text == CONSENT_TEXT


def test_the_database_refuses_to_change_a_published_version(app, published):
    with pytest.raises(DatabaseError, match="frozen once published"):
        db.session.execute(text("UPDATE consent_versions SET text = 'edited' WHERE id = :id"), {"id": published[0].id})
    db.session.rollback()
    assert db.session.get(ConsentVersion, published[0].id).text == CONSENT_TEXT


def test_on_postgresql_the_database_refuses_to_delete_a_published_version(app, published):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no DELETE trigger: the test suite empties its tables with DELETE")
    with pytest.raises(DatabaseError, match="frozen once published"):
        db.session.execute(text("DELETE FROM consent_versions WHERE id = :id"), {"id": published[1].id})
    db.session.rollback()


def test_the_signature_keeps_the_exact_text_and_its_hash(app, published, client_user):
    signature = sign_as(client_user, published[0], name="  Clara   Client ")
    db.session.expire_all()
    stored = db.session.get(ConsentSignature, signature.id)
    assert stored.text == CONSENT_TEXT
    assert stored.text_sha256 == hashlib.sha256(stored.text.encode("utf-8")).hexdigest() == published[0].text_sha256
    assert documents.signature_intact(stored)
    assert (stored.typed_name, stored.version_number) == ("Clara Client", 1)


@pytest.mark.parametrize("column, value", [("text", "'other words'"), ("typed_name", "'Someone Else'")])
def test_the_database_refuses_to_change_a_signature(app, published, client_user, column, value):
    signature = sign_as(client_user, published[0])
    with pytest.raises(DatabaseError, match="never changed"):
        db.session.execute(
            text(f"UPDATE consent_signatures SET {column} = {value} WHERE id = :id"), {"id": signature.id}
        )
    db.session.rollback()
    assert documents.signature_intact(db.session.get(ConsentSignature, signature.id))


def test_the_orm_refuses_to_change_a_signature(app, published, client_user):
    signature = sign_as(client_user, published[0])
    signature.typed_name = "Someone Else"
    with pytest.raises(ConsentFrozen):
        db.session.commit()
    db.session.rollback()


def test_address_and_browser_are_encrypted_at_rest_and_rotate_keys_still_reencrypts_them(
    app, app_factory, published, client_user
):
    signature = sign_as(client_user, published[0])
    raw = db.session.execute(
        text("SELECT ip_address, user_agent FROM consent_signatures WHERE id = :id"), {"id": signature.id}
    ).one()
    assert "203.0.113.7" not in raw.ip_address and "Mozilla" not in raw.user_agent
    rotated_app = app_factory(ENCRYPTION_KEYS=f"{NEW_KEY},{TEST_ENCRYPTION_KEY}")
    with rotated_app.app_context():
        assert rotation.rotate_all()["consent_signatures"] == 1
        db.session.remove()
    new_only = app_factory(ENCRYPTION_KEYS=NEW_KEY)
    with new_only.app_context():
        stored = db.session.get(ConsentSignature, signature.id)
        assert (stored.ip_address, stored.user_agent) == ("203.0.113.7", "Mozilla/5.0 (Phone)")
        db.session.remove()


def test_signing_twice_keeps_the_first_signature(app, published, client_user):
    first = sign_as(client_user, published[0], name="Clara Client")
    again = sign_as(client_user, published[0], name="Clara C")
    assert again.id == first.id and again.typed_name == "Clara Client"
    assert db.session.execute(db.select(db.func.count()).select_from(ConsentSignature)).scalar() == 1


def test_a_replaced_version_can_no_longer_be_signed(app, practice, published, client_user):
    document = documents.document_with_versions(published[1].document_id)
    documents.save_draft(document, document.title, TERMS_TEXT + " Late cancellations are not refunded.")
    documents.publish(document, practice.practitioner, documents.draft_fingerprint(document))
    with pytest.raises(VersionOutOfDate):
        sign_as(client_user, published[1])


@pytest.mark.parametrize(
    "name, agreed, message",
    [("", True, "Type your full name"), ("x" * 121, True, "120 characters"), ("Clara Client", False, "Tick the box")],
)
def test_a_signature_needs_her_name_and_the_tick(app, published, client_user, name, agreed, message):
    with pytest.raises(ConsentError, match=message):
        documents.sign(client_user, published[0], name, agreed, ip_address="", user_agent="")
    assert db.session.execute(db.select(db.func.count()).select_from(ConsentSignature)).scalar() == 0


def test_only_clients_sign(app, practice, published):
    with pytest.raises(ConsentError):
        sign_as(practice.practitioner, published[0])


def test_the_audit_trail_records_each_signature(app, published, client_user):
    from portal import audit

    signature = sign_as(client_user, published[0])
    events = audit.events_for_client(client_user.id)
    assert [(e.action, e.what, e.what_id) for e in events] == [("sign", "consent", signature.id)]


def test_paragraphs_keep_line_breaks_and_drop_empty_blocks(app):
    assert documents.paragraphs("One\r\ntwo\n\n\n\nThree  \n\n") == [["One", "two"], ["Three"]]


def test_the_client_list_helper_names_who_has_not_signed(app, published, client_user, make_user):
    other = make_user(Role.CLIENT)
    sign_as(client_user, published[0])
    sign_as(client_user, published[1])
    assert documents.clients_missing_consent([client_user.id, other.id]) == {other.id}
