"""How fast a conversation of 2,000 messages opens, for the client and for her practitioner.

    .venv/bin/python -m bench.messages                # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.messages   # wipes it

One client has 2,000 messages (the two sides taking turns, every 20th with a PDF attached), another has 3.
Prints the median time of the thread page (its newest 30 messages) from both sides (target: under 50 ms), the
SQL queries per thread page for the 3-message and the 2,000-message conversation (target: the same number),
and the median time of the JSON a page left open polls and of the practitioner's inbox.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from bench._setup import environ, fresh_app, seed_practice
from bench.casefile import median_ms
from bench.progress import log_in, page_queries
from portal.db_types import utcnow
from portal.extensions import db
from portal.messages import conversations
from portal.models import Message, MessageAttachment, User
from portal.practice.team import join_care_team

MESSAGES = 2000
RUNS = 30
PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"


def fill_conversation(client: User, practitioner: User, count: int) -> None:
    """`count` messages written as rows (each text encrypted as the portal stores it), oldest a year ago."""
    conversations.send_message(client, client, "Hello", [])
    conversation = conversations.conversation_of(client.id)
    assert conversation is not None
    start = utcnow() - timedelta(days=365)
    for n in range(count - 1):
        from_client = n % 2 == 0
        message = Message(
            conversation_id=conversation.id,
            client_id=client.id,
            sender_id=client.id if from_client else practitioner.id,
            from_client=from_client,
            body=f"Message {n}: the bloating is better since the fennel tea, but the headache came back. " * 2,
            created_at=start + timedelta(hours=4 * n),
        )
        db.session.add(message)
        if n % 20 == 0:
            db.session.flush()
            db.session.add(
                MessageAttachment(
                    message_id=message.id,
                    client_id=client.id,
                    filename=f"result-{n}.pdf",
                    content_type="application/pdf",
                    size=len(PDF),
                    checksum=hashlib.sha256(PDF).hexdigest(),
                    content=PDF,
                )
            )
    db.session.flush()
    conversation.last_client_message_id = db.session.scalar(db.select(db.func.max(Message.id))) or 0
    conversation.last_message_at = utcnow()
    db.session.commit()


def main() -> None:
    app = fresh_app(environ())
    with app.app_context():
        maya, _, (small, big) = seed_practice(clients=2)
        for person in (small, big):
            join_care_team(maya.id, person.id)
        db.session.commit()
        fill_conversation(small, maya, 3)
        fill_conversation(big, maya, MESSAGES)
        small_id, big_id, maya_email, big_email = small.id, big.id, maya.email, big.email
    practitioner = app.test_client()
    log_in(practitioner, maya_email)
    client = app.test_client()
    log_in(client, big_email)
    for url in (f"/practitioner/clients/{small_id}/messages", f"/practitioner/clients/{big_id}/messages"):
        practitioner.get(url)  # the first view marks the thread read
    small_queries = page_queries(app, practitioner, f"/practitioner/clients/{small_id}/messages")
    big_queries = page_queries(app, practitioner, f"/practitioner/clients/{big_id}/messages")
    client.get("/me/messages/")
    client_queries = page_queries(app, client, "/me/messages/")
    practitioner_ms = median_ms(lambda: practitioner.get(f"/practitioner/clients/{big_id}/messages"), RUNS)
    client_ms = median_ms(lambda: client.get("/me/messages/"), RUNS)
    with app.app_context():
        newest = db.session.scalar(db.select(db.func.max(Message.id)))
    poll_ms = median_ms(lambda: client.get(f"/me/messages/updates?after={newest}"), RUNS)
    inbox_ms = median_ms(lambda: practitioner.get("/practitioner/messages"), RUNS)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    print(f"conversation: {MESSAGES} messages, every 20th with a PDF; pages of {conversations.PAGE_SIZE}")
    print(
        f"thread page: {practitioner_ms:.1f} ms for the practitioner, {client_ms:.1f} ms for the client "
        f"(median of {RUNS}; target < 50 ms)"
    )
    print(
        f"SQL queries per thread page: {small_queries} for 3 messages, {big_queries} for {MESSAGES} "
        f"(the client's own page: {client_queries})"
    )
    print(f"poll for new messages: {poll_ms:.1f} ms; the practitioner's inbox: {inbox_ms:.1f} ms")


if __name__ == "__main__":
    main()
