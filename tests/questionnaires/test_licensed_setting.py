"""LICENSED_CONTENT_FILE: a practice with a licence sees its own wording; without one, MIDAS, HIT-6, IBS-SSS and
GSRS are never sent (nor shown to a client as "Question 1"), and the practitioner is told why in plain words."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Assignment, Role
from portal.questionnaires import responses
from portal.questionnaires.responses import ResponseError
from tests.conftest import csrf_token_from, log_in, placeholder_wording
from tests.questionnaires.test_responses import send

WORDING = {
    "hit6": {
        "title": "HIT-6 (practice licence)",
        "items": {str(n): f"Licensed wording {n}" for n in range(1, 7)},
        "options": {"6": "Licensed answer A"},
    }
}


def first_question(client, assignment) -> str:
    return client.get(client.get(f"/me/questionnaires/{assignment.id}").headers["Location"]).get_data(as_text=True)


def test_without_a_content_file_licensed_questionnaires_are_not_offered_and_she_is_told_why(app, maya, client_user):
    practitioner = app.test_client()
    log_in(practitioner, maya.email)
    page = practitioner.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    send_form = page.split('name="code"')[1].split("</select>")[0]
    assert 'value="phq9"' in send_form and 'value="id_migraine"' in send_form
    assert all(f'value="{code}"' not in send_form for code in ("midas", "hit6", "ibs_sss", "gsrs"))
    notice = page.split('id="licence-notice">')[1].split("</p>")[0]
    assert notice.startswith("MIDAS, HIT-6, IBS-SSS and GSRS are licensed: their wording has to be loaded")
    assert "Ask whoever runs the portal to load it." in notice
    assert "LICENSED_CONTENT" not in page and "Question 1" not in page
    refused = practitioner.post(
        f"/practitioner/clients/{client_user.id}/assignments",
        data={"code": "hit6", "every": "", "csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "HIT-6 is licensed: its wording has to be loaded before you can send it." in refused
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0
    with pytest.raises(ResponseError, match="^MIDAS is licensed: its wording has to be loaded"):
        responses.assign(client_user, "midas", 4, date(2030, 1, 1), maya)  # once or repeating: never silently


def test_a_licensed_questionnaire_sent_before_its_wording_was_unloaded_waits_unseen(app, maya, client_user):
    app.config["LICENSED_CONTENT"] = placeholder_wording()
    today = utcnow().date()
    assignment = responses.assign(client_user, "hit6", 4, today - timedelta(days=5), maya)
    draft = responses.draft_for(assignment)
    app.config["LICENSED_CONTENT"] = None  # the practice's file is no longer loaded
    assert responses.due_assignments(client_user.id, today) == []
    assert responses.waiting_assignments(lambda tz: today) == []  # no invitation or reminder e-mail
    client = app.test_client()
    log_in(client, client_user.email)
    home = client.get("/me/").get_data(as_text=True)
    assert "Headache impact" not in home and "HIT-6" not in home
    for url in (
        f"/me/questionnaires/{assignment.id}",
        f"/me/responses/{draft.id}/1",
        f"/me/responses/{draft.id}/review",
    ):
        opened = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "ready yet. Your practitioner will let you know" in opened and "Question 1" not in opened
    practitioner = app.test_client()
    log_in(practitioner, maya.email)
    page = practitioner.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    assert 'HIT-6 (every 4 weeks) <span class="muted">(on hold: she won\'t see it until its wording is loaded)' in page
    app.config["LICENSED_CONTENT"] = placeholder_wording()  # loaded again: it is waiting for her once more
    assert responses.due_assignments(client_user.id, today) == [assignment]
    assert "Headache impact" in client.get("/me/").get_data(as_text=True)


def test_with_the_practices_content_file_hit6_shows_its_licensed_wording(app_factory, tmp_path, make_user):
    path = tmp_path / "licensed.json"
    path.write_text(json.dumps(WORDING), encoding="utf-8")
    app = app_factory(LICENSED_CONTENT_FILE=str(path))
    client = app.test_client()
    with app.app_context():
        maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Practitioner")
        clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
        practitioner = app.test_client()
        log_in(practitioner, maya.email)
        page = practitioner.get(f"/practitioner/clients/{clara.id}/diary").get_data(as_text=True)
        notice = page.split('id="licence-notice"')[1].split("</p>")[0]
        assert "GSRS" in notice and "HIT-6" not in notice  # only what the file does not cover
        assert 'value="hit6"' in page.split('name="code"')[1].split("</select>")[0]
        assignment = send(client, maya, clara, "hit6")
        log_in(client, clara.email)
        question = first_question(client, assignment)
    assert "Licensed wording 1" in question and "Licensed answer A" in question
    assert "Question 1" not in question


def test_a_content_file_that_cannot_be_used_stops_the_portal_with_a_clear_message(tmp_path):
    bad = tmp_path / "licensed.json"
    bad.write_text(json.dumps({"hit6": {"items": {"1": "only one"}}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="LICENSED_CONTENT_FILE: The wording for hit6 lacks items"):
        create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, "LICENSED_CONTENT_FILE": str(bad)})
    with pytest.raises(ConfigError, match="could not be read"):
        create_app(
            {"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, "LICENSED_CONTENT_FILE": str(tmp_path / "missing.json")}
        )
