"""The other side is e-mailed that there is a message, with a link and none of its content; once per burst."""

from __future__ import annotations

from portal.models import OutboxMessage
from tests.conftest import mailed_path, outbox_messages
from tests.messages.conftest import browser_for, send
from portal.extensions import db

SECRET = "my stools are type 6 since the antibiotics"


def _bodies(message) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


def test_the_practitioner_is_emailed_a_link_without_the_content(app, team):
    send(browser_for(app, team.clara), "/me/messages/", SECRET)
    (mail,) = outbox_messages(app)
    assert mail["To"] == "ana@example.com"  # her care team, not the owner or Bea
    assert mail["Subject"] == f"You have a new message from {app.config['PRACTICE_NAME']}"
    assert SECRET not in _bodies(mail) and "type 6" not in _bodies(mail)
    assert mailed_path(mail, "/practitioner/clients/") == f"/practitioner/clients/{team.clara.id}/messages"


def test_the_client_is_emailed_a_link_to_her_messages(app, team):
    send(browser_for(app, team.ana), f"/practitioner/clients/{team.clara.id}/messages", "Take it with dinner.")
    (mail,) = outbox_messages(app)
    assert mail["To"] == "clara@example.com" and "dinner" not in _bodies(mail)
    assert mailed_path(mail, "/me/") == "/me/messages/"


def test_a_burst_sends_one_email_until_the_thread_is_read(app, team):
    clara, ana = browser_for(app, team.clara), browser_for(app, team.ana)
    for n in range(3):
        send(clara, "/me/messages/", f"Another thought {n}")
    assert len(outbox_messages(app)) == 1
    ana.get(f"/practitioner/clients/{team.clara.id}/messages")  # she reads the thread
    send(clara, "/me/messages/", "One more after she read")
    assert len(outbox_messages(app)) == 2


def test_a_client_without_a_care_team_reaches_the_owner(app, team, make_user):
    from portal.models import Role

    zoe = make_user(Role.CLIENT, email="zoe@example.com")
    send(browser_for(app, zoe), "/me/messages/", "Hello?")
    (mail,) = outbox_messages(app)
    assert mail["To"] == "olive@example.com"


def test_the_message_email_is_clinical_so_the_front_desk_does_not_see_it_undelivered(app, team):
    send(browser_for(app, team.clara), "/me/messages/", "Hi")
    row = db.session.execute(db.select(OutboxMessage)).scalar_one()
    from portal.outbox import CLINICAL_TEMPLATES

    assert row.template == "new_message" and row.template in CLINICAL_TEMPLATES
