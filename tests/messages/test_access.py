"""Who may open a conversation: the client hers alone; her care team and the owner; nobody else (404)."""

from __future__ import annotations

from portal.messages import conversations
from tests.messages.conftest import browser_for


def test_a_client_sees_only_her_own_conversation(app, team):
    conversations.send_message(team.yara, team.yara, "Yara's private words", [])
    clara = browser_for(app, team.clara)
    page = clara.get("/me/messages/").get_data(as_text=True)
    assert "Yara's private words" not in page
    assert clara.get(f"/practitioner/clients/{team.yara.id}/messages").status_code == 404
    assert clara.get(f"/practitioner/clients/{team.yara.id}/messages/updates?after=0").status_code == 404
    assert "Yara" not in clara.get("/me/messages/updates?after=0").get_data(as_text=True)


def test_off_team_practitioners_and_the_assistant_get_404(app, team):
    conversations.send_message(team.clara, team.clara, "Private", [])
    for person in (team.bea, team.desk):
        browser = browser_for(app, person)
        for url in ("", "/updates?after=0"):
            assert browser.get(f"/practitioner/clients/{team.clara.id}/messages{url}").status_code == 404
        assert browser.get("/me/messages/").status_code == 404


def test_the_assistant_has_no_messages_link_or_inbox(app, team):
    desk = browser_for(app, team.desk)
    assert "/practitioner/messages" not in desk.get("/practitioner/").get_data(as_text=True)
    assert desk.get("/practitioner/messages").status_code == 404


def test_the_owner_sees_every_conversation_and_bea_only_her_clients(app, team):
    conversations.send_message(team.clara, team.clara, "From Clara", [])
    conversations.send_message(team.yara, team.yara, "From Yara", [])
    owner_inbox = browser_for(app, team.owner).get("/practitioner/messages").get_data(as_text=True)
    assert "Clara Client" in owner_inbox and "Yara Client" in owner_inbox
    bea_inbox = browser_for(app, team.bea).get("/practitioner/messages").get_data(as_text=True)
    assert "Yara Client" in bea_inbox and "Clara Client" not in bea_inbox
