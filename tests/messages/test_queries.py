"""The thread page costs the same number of SQL statements however long the conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db_types import utcnow
from portal.extensions import db
from portal.messages.attachments import clean_upload
from portal.messages import conversations
from portal.models import Message, MessageAttachment
from tests.messages.conftest import PDF, browser_for


def fill(client, practitioner, count: int) -> None:
    """`count` messages, alternating sides, every fifth with a file, written as rows (the domain's path is tested
    elsewhere; 300 sends through it would only slow the suite)."""
    conversations.send_message(client, client, "First", [clean_upload("a.pdf", PDF)])
    conversation = conversations.conversation_of(client.id)
    start = utcnow() - timedelta(days=30)
    for n in range(count - 1):
        from_client = n % 2 == 0
        message = Message(
            conversation_id=conversation.id,
            client_id=client.id,
            sender_id=client.id if from_client else practitioner.id,
            from_client=from_client,
            body=f"Message {n}",
            created_at=start + timedelta(minutes=n),
        )
        db.session.add(message)
        if n % 5 == 0:
            db.session.flush()
            file = clean_upload(f"{n}.pdf", PDF)
            db.session.add(
                MessageAttachment(
                    message_id=message.id,
                    client_id=client.id,
                    filename=file.filename,
                    content_type=file.content_type,
                    size=len(PDF),
                    checksum=file.checksum,
                    content=PDF,
                )
            )
    db.session.flush()
    newest = db.session.scalar(db.select(db.func.max(Message.id)))
    conversation.last_client_message_id = newest
    conversation.last_message_at = utcnow()
    db.session.commit()


@pytest.mark.parametrize("side", ["client", "practitioner"])
def test_the_thread_page_runs_the_same_queries_for_3_and_300_messages(app, team, make_user, count_queries, side):
    from portal.models import Role
    from portal.practice.team import join_care_team

    counted = []
    for size in (3, 300):
        client = make_user(Role.CLIENT)
        join_care_team(team.ana.id, client.id)
        db.session.commit()
        fill(client, team.ana, size)
        viewer = client if side == "client" else team.ana
        browser = browser_for(app, viewer)
        url = "/me/messages/" if side == "client" else f"/practitioner/clients/{client.id}/messages"
        browser.get(url)  # the first view marks the thread read; the counted one is a plain view
        with count_queries() as queries:
            response = browser.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and f"Message {size - 2}<" in page
        assert page.count('class="msg ') == min(size, conversations.PAGE_SIZE)
        counted.append(queries.count)
    assert counted[0] == counted[1], counted
