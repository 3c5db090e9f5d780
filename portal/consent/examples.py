"""The demo practice's consent and policy documents (`flask seed-demo`), in the practitioner's own words."""

from __future__ import annotations

from portal.consent import documents
from portal.extensions import db
from portal.models import ConsentDocument, User

DEMO_DOCUMENTS = [
    (
        "consent",
        "Consent to care",
        "I am asking to work with the practitioner on my migraines, headaches and digestion. Her work is "
        "functional nutrition: diet, the gut microbiome, the gut lining and the way the gut and the brain affect "
        "each other.\n\n"
        "Functional nutrition does not diagnose or treat disease and does not replace my GP or specialist. I will "
        "keep seeing them, and I will not stop or change any prescribed medication without talking to them first.\n\n"
        "I will tell the practitioner about my health, my medication and any supplements I take, and tell her when "
        "something changes.\n"
        "If I have sudden, severe or unusual headache, weakness, confusion, blood in my stools or weight loss I "
        "cannot explain, I will seek medical help at once.\n\n"
        "I can withdraw this consent at any time by telling the practice.",
    ),
    (
        "terms",
        "Terms and cancellation policy",
        "Sessions are paid when they are booked, or at the session when the practice says so.\n\n"
        "You can move or cancel a session online free of charge up to 24 hours before it starts, and a payment "
        "you made is refunded in full. Later than that, or if you do not come, the session is charged.\n\n"
        "If the practitioner has to cancel, you get a full refund or a new time of your choice.",
    ),
    (
        "privacy",
        "Privacy notice",
        "The practice keeps your contact details, your health background, your diary, your questionnaire answers "
        "and the practitioner's notes so that it can care for you. Health information is encrypted where it is "
        "stored, and only the practitioners on your care team can read it.\n\n"
        "You can download everything the practice holds about you at any time, and ask for it to be erased. "
        "Records the law makes the practice keep (payments and the dates of sessions) are kept without your "
        "health information.\n\n"
        "The practice does not sell or share your information. It uses no advertising or tracking.",
    ),
]


def seed_demo_documents(practitioner: User, signed_by: User) -> None:
    """Publish the three documents (if the practice has none yet), and sign them as `signed_by`, so the case file
    shows signatures for one client while every other client is asked before her first booking."""
    if db.session.execute(db.select(ConsentDocument).limit(1)).first() is not None:
        return
    for kind, title, text in DEMO_DOCUMENTS:
        document = documents.create_document(kind, title, practitioner)
        documents.save_draft(document, title, text)
        version = documents.publish(document, practitioner, documents.draft_fingerprint(document))
        documents.sign(
            signed_by, version, signed_by.name, True, ip_address="127.0.0.1", user_agent="Demo data (flask seed-demo)"
        )
