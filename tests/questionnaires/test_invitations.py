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
    assert "“Mood check”" in invitation.get_body(("plain",)).get_content()  # named for people, in the body only

    draft = responses.draft_for(assignment)
    for item in INSTRUMENTS["phq9"].items:
        responses.save_answer(draft, item, 0)
    responses.submit(draft, due + timedelta(days=5))
    assert run_jobs(noon(due + timedelta(days=6)))["questionnaire messages sent"] == 0
    # four weeks later it falls due again: a new invitation
    assert run_jobs(noon(due + timedelta(days=5, weeks=4)))["questionnaire messages sent"] == 1
