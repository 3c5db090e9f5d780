"""The practitioner's inbox (unread first, then newest; open or done), marking done, saved replies and the rate
limit."""

from __future__ import annotations

from datetime import timedelta

from portal.db_types import utcnow
from portal.extensions import db
from portal.messages import conversations
from portal.models import Conversation, Message, Role, SavedReply
from tests.conftest import csrf_token_from
from tests.messages.conftest import browser_for, send


def test_unread_conversations_come_first_then_the_newest(app, team, make_user):
    now = utcnow()
    people = [make_user(Role.CLIENT, name=f"Client {n}") for n in range(3)]
    for n, person in enumerate(people):
        conversations.send_message(person, person, "Hello", [], now=now - timedelta(hours=3 - n))
    conversations.mark_read(conversations.conversation_of(people[2].id), team.owner)  # the newest is read
    db.session.commit()
    page = browser_for(app, team.owner).get("/practitioner/messages").get_data(as_text=True)
    assert page.index("Client 1") < page.index("Client 0") < page.index("Client 2")


def test_done_drops_out_of_open_until_the_client_writes_again(app, team):
    conversations.send_message(team.clara, team.clara, "Thanks!", [])
    ana = browser_for(app, team.ana)
    thread = f"/practitioner/clients/{team.clara.id}/messages"
    token = csrf_token_from(ana.get(thread).get_data(as_text=True))
    assert ana.post(f"{thread}/done", data={"csrf_token": token}).status_code == 302
    assert "Clara Client" not in ana.get("/practitioner/messages").get_data(as_text=True)
    assert "Clara Client" in ana.get("/practitioner/messages?show=done").get_data(as_text=True)
    send(ana, thread, "You're welcome.")  # her own answer keeps it done
    assert "Clara Client" not in ana.get("/practitioner/messages").get_data(as_text=True)
    conversations.send_message(team.clara, team.clara, "One more question", [])
    assert "Clara Client" in ana.get("/practitioner/messages").get_data(as_text=True)
    assert db.session.execute(db.select(Conversation.status)).scalar_one() == "open"


def test_done_needs_a_conversation(app, team):
    ana = browser_for(app, team.ana)
    token = csrf_token_from(ana.get("/practitioner/messages").get_data(as_text=True))
    assert (
        ana.post(f"/practitioner/clients/{team.clara.id}/messages/done", data={"csrf_token": token}).status_code == 404
    )


def test_a_saved_reply_is_inserted_into_the_composer_without_a_script(app, team):
    ana = browser_for(app, team.ana)
    page = ana.get("/practitioner/messages/replies").get_data(as_text=True)
    ana.post(
        "/practitioner/messages/replies",
        data={
            "title": "Magnesium timing",
            "body": "Take magnesium glycinate with your evening meal.",
            "csrf_token": csrf_token_from(page),
        },
    )
    reply = db.session.execute(db.select(SavedReply)).scalar_one()
    thread = f"/practitioner/clients/{team.clara.id}/messages"
    assert "Magnesium timing" in ana.get(thread).get_data(as_text=True)
    response = send(ana, thread, "Hello Clara,", saved_reply=str(reply.id), action="insert")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hello Clara,\n\nTake magnesium glycinate with your evening meal.</textarea>" in body
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0  # inserted, not sent


def test_someone_elses_saved_reply_is_neither_inserted_nor_deletable(app, team):
    bea_reply = SavedReply(practitioner_id=team.bea.id, title="Bea's", body="Bea's words")
    db.session.add(bea_reply)
    db.session.commit()
    ana = browser_for(app, team.ana)
    thread = f"/practitioner/clients/{team.clara.id}/messages"
    assert "Bea's words" not in send(ana, thread, "", saved_reply=str(bea_reply.id), action="insert").get_data(
        as_text=True
    )
    token = csrf_token_from(ana.get("/practitioner/messages/replies").get_data(as_text=True))
    assert (
        ana.post(f"/practitioner/messages/replies/{bea_reply.id}/delete", data={"csrf_token": token}).status_code == 404
    )


def test_more_than_30_messages_in_10_minutes_are_refused_with_the_text_kept(app, team):
    clara = browser_for(app, team.clara)
    for n in range(30):
        assert send(clara, "/me/messages/", f"Message {n}").status_code == 302
    refused = send(clara, "/me/messages/", "The thirty-first, kept")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "You have sent 30 messages in the last 10 minutes" in body
    assert "The thirty-first, kept</textarea>" in body
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 30
    assert send(browser_for(app, team.ana), f"/practitioner/clients/{team.clara.id}/messages", "Hi").status_code == 302
