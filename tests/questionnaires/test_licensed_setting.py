"""LICENSED_CONTENT_FILE: a practice with a licence sees its own wording; without one, neutral labels and a
notice that says why, to the client and to the practitioner."""

from __future__ import annotations

import json

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.models import Role
from tests.conftest import log_in
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


def test_without_a_content_file_hit6_shows_neutral_labels_and_both_sides_are_told_why(app, maya, client_user):
    practitioner = app.test_client()
    log_in(practitioner, maya.email)
    page = practitioner.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    notice = page.split('id="licence-notice"')[1].split("</p>")[0]
    assert "HIT-6" in notice and "LICENSED_CONTENT_FILE" in notice
    client = app.test_client()
    assignment = send(client, maya, client_user, "hit6")
    log_in(client, client_user.email)
    question = first_question(client, assignment)
    assert "Question 1" in question and "your practitioner will explain each question" in question


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
        assignment = send(client, maya, clara, "hit6")
        log_in(client, clara.email)
        question = first_question(client, assignment)
    assert "Licensed wording 1" in question and "Licensed answer A" in question
    assert "your practitioner will explain" not in question


def test_a_content_file_that_cannot_be_used_stops_the_portal_with_a_clear_message(tmp_path):
    bad = tmp_path / "licensed.json"
    bad.write_text(json.dumps({"hit6": {"items": {"1": "only one"}}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="LICENSED_CONTENT_FILE: The wording for hit6 lacks items"):
        create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, "LICENSED_CONTENT_FILE": str(bad)})
    with pytest.raises(ConfigError, match="could not be read"):
        create_app(
            {"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, "LICENSED_CONTENT_FILE": str(tmp_path / "missing.json")}
        )
