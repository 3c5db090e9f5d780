"""The demo practice has its three documents published; Sophie has signed them, and other clients are asked."""

from __future__ import annotations

from portal.accounts import users
from portal.consent import documents
from portal.demo import seed_demo
from portal.extensions import db
from portal.models import ConsentDocument


def test_the_demo_publishes_three_documents_that_sophie_has_signed_and_seeding_twice_adds_nothing(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")
    assert db.session.scalar(db.select(db.func.count()).select_from(ConsentDocument)) == 3
    assert [v.title for v in documents.current_versions()] == [
        "Consent to care",
        "Terms and cancellation policy",
        "Privacy notice",
    ]
    sophie = users.find_user_by_email("sophie@example.com")
    priya = users.find_user_by_email("priya@example.com")
    assert documents.unsigned_versions(sophie.id) == []
    assert len(documents.signatures_of(sophie.id)) == 3
    assert len(documents.unsigned_versions(priya.id)) == 3
