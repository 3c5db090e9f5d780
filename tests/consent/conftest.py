"""Published consent documents for the practice, and a helper to sign them as a client would."""

from __future__ import annotations

import pytest

from portal.consent import documents
from portal.models import ConsentSignature, ConsentVersion, User

CONSENT_TEXT = (
    "I agree to work with the practitioner on my migraines and digestion.\n\n"
    "Functional nutrition does not replace my GP.\nI will tell my GP about supplements I take.\n\n"
    "I can withdraw my consent at any time."
)
TERMS_TEXT = "Sessions can be moved or cancelled free of charge up to 24 hours before they start."


def publish_document(author: User, kind: str, text: str, title: str = "") -> ConsentVersion:
    """A document written and published by `author`, as she would on the editor page."""
    document = documents.create_document(kind, title, author)
    documents.save_draft(document, document.title, text)
    return documents.publish(document, author, documents.draft_fingerprint(document))


def sign_as(client: User, version: ConsentVersion, name: str | None = None) -> ConsentSignature:
    return documents.sign(
        client, version, name or client.name, True, ip_address="203.0.113.7", user_agent="Mozilla/5.0 (Phone)"
    )


@pytest.fixture
def published(practice) -> list[ConsentVersion]:
    """Consent to care and the terms, each published once (version 1)."""
    maya = practice.practitioner
    return [publish_document(maya, "consent", CONSENT_TEXT), publish_document(maya, "terms", TERMS_TEXT)]
