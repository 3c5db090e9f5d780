"""The demo practice has a conversation between Sophie and Dr Lennox, and two saved replies; seeding twice adds
nothing."""

from __future__ import annotations

from portal.accounts import users
from portal.demo import seed_demo
from portal.extensions import db
from portal.messages import conversations
from portal.models import Message, SavedReply


def test_the_demo_has_a_conversation_with_one_unread_message_and_saved_replies(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")
    sophie = users.find_user_by_email("sophie@example.com")
    maya = users.find_user_by_email("practitioner@example.com")
    sides = db.session.execute(db.select(Message.from_client).order_by(Message.id)).scalars().all()
    assert sides == [True, False, True]
    assert db.session.scalar(db.select(db.func.count(SavedReply.id))) == 2
    assert conversations.unread_count(maya) == 1 and conversations.unread_count(sophie) == 0
    assert "evening meal" in conversations.thread_page(sophie.id).messages[0].body
