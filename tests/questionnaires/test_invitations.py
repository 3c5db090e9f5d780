"""`flask jobs run` invites a client when a questionnaire falls due and reminds her once, through real SMTP."""

from __future__ import annotations

from datetime import datetime, time, timedelta, UTC

import pytest

from portal.jobs.runner import run_jobs
from portal.models import Role
from portal.questionnaires import responses
from portal.questionnaires.instruments import INSTRUMENTS


@pytest.fixture
def app(app_factory, smtp_server):
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    with app.app_context():
        yield app


def noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def test_invited_once_when_due_reminded_once_and_never_after_answering(make_user, client_user, smtp_server):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    due = datetime(2030, 1, 10).date()
    assignment = responses.assign(client_user, "phq9", 4, due, maya)
    assert run_jobs(noon(due - timedelta(days=1)))["questionnaire messages sent"] == 0
    assert run_jobs(noon(due))["questionnaire messages sent"] == 1
    assert run_jobs(noon(due + timedelta(days=1)))["questionnaire messages sent"] == 0
    assert run_jobs(noon(due + timedelta(days=3)))["questionnaire messages sent"] == 1  # the one reminder
    assert run_jobs(noon(due + timedelta(days=5)))["questionnaire messages sent"] == 0
    invitation, reminder = smtp_server.messages
    assert invitation["To"] == client_user.email and invitation["Subject"] == "A questionnaire from your practitioner"
    assert reminder["Subject"] == "Reminder: a questionnaire is waiting for you"
    assert "PHQ" not in invitation["Subject"] + reminder["Subject"]  # no health data in subjects
    assert f"/me/questionnaires/{assignment.id}" in invitation.get_body(("plain",)).get_content()
    assert "Mood check (PHQ-9)" in invitation.get_body(("plain",)).get_content()  # named for people, in the body only

    draft = responses.draft_for(assignment)
    for item in INSTRUMENTS["phq9"].items:
        responses.save_answer(draft, item, 0)
    responses.submit(draft, due + timedelta(days=5))
    assert run_jobs(noon(due + timedelta(days=6)))["questionnaire messages sent"] == 0
    # four weeks later it falls due again: a new invitation
    assert run_jobs(noon(due + timedelta(days=5, weeks=4)))["questionnaire messages sent"] == 1


def test_several_falling_due_together_make_one_e_mail_listing_them_all(make_user, client_user, smtp_server):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    other = make_user(Role.CLIENT, email="other@example.com")
    due = datetime(2030, 1, 10).date()
    sent = [responses.assign(client_user, code, None, due, maya) for code in ("phq9", "gad7", "id_migraine")]
    responses.assign(other, "phq9", None, due, maya)
    assert run_jobs(noon(due))["questionnaire messages sent"] == 4
    assert run_jobs(noon(due))["questionnaire messages sent"] == 0  # each once
    mine = [m for m in smtp_server.messages if m["To"] == client_user.email]
    assert len(mine) == 1 and len(smtp_server.messages) == 2
    assert mine[0]["Subject"] == "Questionnaires from your practitioner"
    body = mine[0].get_body(("plain",)).get_content()
    for assignment in sent:
        assert f"/me/questionnaires/{assignment.id}" in body
        assert INSTRUMENTS[assignment.code].title in body
    assert run_jobs(noon(due + timedelta(days=3)))["questionnaire messages sent"] == 4  # the reminders, alike
    reminders = [m for m in smtp_server.messages if m["To"] == client_user.email][1:]
    assert [m["Subject"] for m in reminders] == ["Reminder: questionnaires are waiting for you"]


def test_a_questionnaire_already_told_about_is_not_listed_again(make_user, client_user, smtp_server):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    due = datetime(2030, 1, 10).date()
    first = responses.assign(client_user, "phq9", None, due, maya)
    assert run_jobs(noon(due))["questionnaire messages sent"] == 1
    later = responses.assign(client_user, "gad7", None, due, maya)  # sent the same day, after the first e-mail
    assert run_jobs(noon(due))["questionnaire messages sent"] == 1
    _, second = smtp_server.messages
    body = second.get_body(("plain",)).get_content()
    assert f"/me/questionnaires/{later.id}" in body and f"/me/questionnaires/{first.id}" not in body
