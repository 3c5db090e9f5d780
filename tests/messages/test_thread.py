"""Writing and reading a conversation from both sides: the client's page and the practitioner's, read status,
unread counts in the header, the notices, paging and the page left open."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from markupsafe import escape
from sqlalchemy import text

from portal.extensions import db
from portal.messages import conversations
from portal.models import AuditEvent, Conversation, Message
from tests.conftest import csrf_token_from
from tests.messages.conftest import browser_for, send

MINE = "/me/messages/"


def thread_of(client_id: int) -> str:
    return f"/practitioner/clients/{client_id}/messages"


def test_a_client_writes_and_her_practitioner_reads_it_from_the_case_file(app, team):
    clara = browser_for(app, team.clara)
    response = send(clara, MINE, "The magnesium gives me loose stools. Should I take it with food?")
    assert response.status_code == 302 and response.headers["Location"] == MINE
    page = clara.get(MINE).get_data(as_text=True)
    assert "The magnesium gives me loose stools" in page and ">Sent<" in page

    ana = browser_for(app, team.ana)
    case_file = ana.get(f"/practitioner/clients/{team.clara.id}").get_data(as_text=True)
    assert thread_of(team.clara.id) in case_file
    assert re.search(r"Messages <span class=\"nav__count\"[^>]*>1</span>", case_file)  # the header's count
    assert "The magnesium gives me loose stools" in ana.get(thread_of(team.clara.id)).get_data(as_text=True)
    assert 'class="nav__count"' not in ana.get("/practitioner/messages").get_data(as_text=True)  # read now

    assert ">Read<" in clara.get(MINE).get_data(as_text=True)  # her message shows as read by the other side


def test_the_answer_reaches_the_client_with_an_unread_count_and_her_own_time_zone(app, team):
    clara, ana = browser_for(app, team.clara), browser_for(app, team.ana)
    send(clara, MINE, "Question")
    send(ana, thread_of(team.clara.id), "Yes, with your evening meal.")
    home = clara.get("/me/").get_data(as_text=True)
    assert "You have 1 unread message." in home
    message = db.session.execute(db.select(Message).filter_by(from_client=False)).scalar_one()
    new_york = message.created_at.astimezone(ZoneInfo("America/New_York"))
    page = clara.get(MINE).get_data(as_text=True)
    assert "Yes, with your evening meal." in page and "Ana Practitioner" in page
    assert new_york.strftime("%H:%M") in page  # Clara lives in New York
    assert 'class="nav__count"' not in clara.get("/me/").get_data(as_text=True)


def test_text_is_escaped(app, team):
    clara = browser_for(app, team.clara)
    send(clara, MINE, "<script>alert(1)</script> & <b>bold</b>")
    page = clara.get(MINE).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page


def test_an_empty_message_or_one_over_the_limit_is_refused_beside_the_field_with_the_text_kept(app, team):
    clara = browser_for(app, team.clara)
    empty = send(clara, MINE, "   ")
    assert empty.status_code == 422 and "Write a message or attach a file." in empty.get_data(as_text=True)
    long_text = "Migraine diary. " * 320  # 5,120 characters
    response = send(clara, MINE, long_text)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Messages can be at most 5,000 characters" in body
    assert long_text.strip() in body  # nothing she typed is lost
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_a_message_of_exactly_the_limit_with_windows_line_breaks_is_taken(app, team):
    clara = browser_for(app, team.clara)
    text_ = ("a" * 99 + "\r\n") * 50  # 5,000 characters as the browser counts them (\r\n as one)
    assert send(clara, MINE, text_.strip()).status_code == 302


def test_a_nul_byte_is_refused_and_the_text_kept(app, team):
    clara = browser_for(app, team.clara)
    response = send(clara, MINE, "Aura at 9\x00pm")
    assert response.status_code == 422 and "control characters" in response.get_data(as_text=True)
    assert "Aura at 9" in response.get_data(as_text=True)


def test_messages_are_encrypted_at_rest(app, team):
    clara = browser_for(app, team.clara)
    send(clara, MINE, "Bloating after onions again")
    raw = db.session.execute(text("SELECT body FROM messages")).scalar_one()
    assert raw.startswith("gAAAA") and "onions" not in raw


def test_sending_and_reading_are_audited_without_the_text(app, team):
    clara, ana = browser_for(app, team.clara), browser_for(app, team.ana)
    send(clara, MINE, "Question about fibre")
    ana.get(thread_of(team.clara.id))
    ana.get(thread_of(team.clara.id))  # every page view is audited, as the case file's are
    newest = db.session.scalar(db.select(db.func.max(Message.id)))
    ana.get(f"{thread_of(team.clara.id)}/updates?after={newest}")  # a poll that brings nothing: not audited
    events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    mine = [(e.action, e.what, e.actor_id) for e in events if e.client_id == team.clara.id]
    assert ("create", "message", team.clara.id) in mine
    assert mine.count(("view", "messages", team.ana.id)) == 2
    send(clara, MINE, "And another")
    ana.get(f"{thread_of(team.clara.id)}/updates?after={newest}")  # a poll that brings her message: audited
    events = db.session.execute(db.select(AuditEvent).filter_by(actor_id=team.ana.id, action="view")).scalars()
    assert len(events.all()) == 3


def test_the_emergency_notice_shows_on_every_page_of_the_conversation_and_the_out_of_office_above_the_composer(
    app, team
):
    clara, ana = browser_for(app, team.clara), browser_for(app, team.ana)
    assert str(escape(conversations.DEFAULT_EMERGENCY_NOTICE)) in clara.get(MINE).get_data(as_text=True)
    page = ana.get("/practitioner/messages/settings")

    ana.post(
        "/practitioner/messages/settings",
        data={
            "away_notice": "I am away until Monday 9 March.",
            "emergency_notice": "Answered within 3 working days. In an emergency call 999.",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    body = clara.get(MINE).get_data(as_text=True)
    assert "Answered within 3 working days. In an emergency call 999." in body
    assert body.index("I am away until Monday 9 March.") < body.index('id="composer"')
    assert "Answered within 3 working days" in ana.get(thread_of(team.clara.id)).get_data(as_text=True)
    for n in range(31):
        conversations.send_message(team.clara, team.clara, f"Message {n}", [])
    older = clara.get(MINE).get_data(as_text=True)
    match = re.search(r'href="(/me/messages/\?before=\d+)"', older)
    assert match and "Answered within 3 working days" in clara.get(match.group(1)).get_data(as_text=True)


def test_the_thread_is_paged_newest_first(app, team):
    for n in range(35):
        conversations.send_message(team.clara, team.clara, f"Note number {n:02d}", [])
    clara = browser_for(app, team.clara)
    first = clara.get(MINE).get_data(as_text=True)
    assert first.index("Note number 34") < first.index("Note number 05") and "Note number 04" not in first
    older = re.search(r'href="/me/messages/\?before=(\d+)"', first)
    assert older, "an Older messages link"
    second = clara.get(f"{MINE}?before={older.group(1)}").get_data(as_text=True)
    assert "Note number 04" in second and "Note number 00" in second and "Note number 05" not in second


def test_the_updates_endpoint_gives_new_messages_escaped_and_marks_them_read(app, team):
    clara, ana = browser_for(app, team.clara), browser_for(app, team.ana)
    send(clara, MINE, "First")
    ana.get(thread_of(team.clara.id))
    newest = db.session.scalar(db.select(db.func.max(Message.id)))
    assert ana.get(f"{thread_of(team.clara.id)}/updates?after={newest}").json["messages"] == []
    send(clara, MINE, "Second <img src=x onerror=alert(1)>")
    update = ana.get(f"{thread_of(team.clara.id)}/updates?after={newest}")
    assert update.headers["Cache-Control"] == "private, no-store"
    (fragment,) = update.json["messages"]
    assert "Second &lt;img src=x onerror=alert(1)&gt;" in fragment["html"] and "<img" not in fragment["html"]
    db.session.expire_all()
    conversation = db.session.execute(db.select(Conversation)).scalar_one()
    assert conversation.team_read_up_to == fragment["id"]
    assert clara.get(f"/me/messages/updates?after={fragment['id']}").json["other_read_up_to"] == fragment["id"]


def test_the_updates_endpoint_refuses_a_bad_id_plainly(app, team):
    clara = browser_for(app, team.clara)
    for bad in ("abc", "99999999999999999999", "٣", "-5x"):
        assert clara.get(f"/me/messages/updates?after={bad}").status_code == 400
    assert clara.get("/me/messages/updates?after=0").json == {"messages": [], "other_read_up_to": 0}


def test_an_older_page_with_a_bad_before_shows_the_newest(app, team):
    clara = browser_for(app, team.clara)
    for bad in ("abc", "99999999999999999999", "0", "-1"):
        assert clara.get(f"{MINE}?before={bad}").status_code == 200


def test_the_database_refuses_a_conversation_status_the_enum_does_not_know(app, team):
    import pytest
    from sqlalchemy.exc import IntegrityError

    conversations.send_message(team.clara, team.clara, "Hello", [])
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE conversations SET status = 'archived'"))
        db.session.flush()
    db.session.rollback()


def test_a_poll_after_a_long_absence_gets_the_oldest_new_messages_first_and_the_rest_next_time(app, team):
    for n in range(conversations.PAGE_SIZE + 5):
        conversations.send_message(team.clara, team.ana, f"Answer {n}", [])
    clara = browser_for(app, team.clara)
    first = clara.get("/me/messages/updates?after=0").json["messages"]
    assert len(first) == conversations.PAGE_SIZE and "Answer 0" in first[0]["html"]
    rest = clara.get(f"/me/messages/updates?after={first[-1]['id']}").json["messages"]
    assert [m["html"].count("Answer") for m in rest] == [1] * 5 and "Answer 34" in rest[-1]["html"]
