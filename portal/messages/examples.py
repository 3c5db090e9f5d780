"""Demo data for messages: a short conversation between the demo client and her practitioner, and two saved
replies in the practitioner's own words."""

from __future__ import annotations

from datetime import timedelta

from portal.db_types import utcnow
from portal.extensions import db
from portal.messages import conversations
from portal.models import Conversation, SavedReply, User

DEMO_CONVERSATION = [
    (
        True,
        50,
        "Hello Maya, since I started the magnesium at night my stools are softer, which is great, but "
        "I had two migraines this week after late meetings. Should I keep going with everything?",
    ),
    (
        False,
        44,
        "Hello Sophie, that is good news about your gut. Yes, keep the magnesium and the fibre step. Two "
        "migraines after short nights fits what we saw in your diary: please note your bedtime these next weeks, "
        "and we will look at it together at your follow-up.",
    ),
    (True, 2, "Thank you! Is it fine to take it with my evening meal instead of at bedtime?"),
]
DEMO_REPLIES = [
    (
        "Magnesium timing",
        "Take your magnesium glycinate with your evening meal or at bedtime, whichever you "
        "remember best. If your stools become loose, halve the dose and tell me.",
    ),
    (
        "Diary reminder",
        "Thank you for writing. Please keep filling in your diary every day: the days around a "
        "migraine tell us most about what your head and your gut are doing together.",
    ),
]


def seed_demo_messages(practitioner: User, client: User) -> None:
    """The conversation (once) and her saved replies (once); the last message, the client's, is unread."""
    if not db.session.execute(db.select(SavedReply.id).filter_by(practitioner_id=practitioner.id).limit(1)).first():
        for title, body in DEMO_REPLIES:
            conversations.add_saved_reply(practitioner, title, body)
    if db.session.execute(db.select(Conversation.id).filter_by(client_id=client.id)).first() is not None:
        return
    now = utcnow()
    for from_client, hours_ago, body in DEMO_CONVERSATION:
        sender = client if from_client else practitioner
        conversations.send_message(client, sender, body, [], now=now - timedelta(hours=hours_ago))
