"""The practitioner sends a questionnaire; the client answers it one question at a time, with her answers
saved as she goes; the score is stored once; item 9 of the PHQ-9 alerts the practitioner."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Assignment, QuestionnaireResponse, Role
from portal.questionnaires import responses
from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.responses import ResponseError
from tests.conftest import csrf_token_from, log_in


def send(client, maya, client_user, code="phq9", every=""):
    log_in(client, maya.email)
    page = client.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    response = client.post(
        f"/practitioner/clients/{client_user.id}/assignments",
        follow_redirects=True,
        data={"code": code, "every": every, "csrf_token": csrf_token_from(page)},
    )
    client.post("/account/logout", data={"csrf_token": csrf_token_from(response.get_data(as_text=True))})
    return db.session.execute(db.select(Assignment).order_by(Assignment.id.desc())).scalars().first()


def answer_all(client, url_start: str, values: list[str]) -> str:
    location = client.get(url_start).headers["Location"]
    for value in values:
        page = client.get(location).get_data(as_text=True)
        location = client.post(location, data={"answer": value, "csrf_token": csrf_token_from(page)}).headers[
            "Location"
        ]
    return location


def test_she_answers_a_phq9_and_the_score_is_stored_once(client, maya, client_user, smtp_server, app_factory):
    assignment = send(client, maya, client_user)
    log_in(client, client_user.email)
    assert "PHQ-9" in client.get("/me/").get_data(as_text=True)
    review_url = answer_all(
        client, f"/me/questionnaires/{assignment.id}", ["1", "2", "1", "3", "0", "1", "2", "0", "0", "2"]
    )
    assert review_url.endswith("/review")
    review = client.get(review_url).get_data(as_text=True)
    assert "Little interest or pleasure in doing things" in review and "Nearly every day" in review
    assert "how difficult have these problems made it" in review and "Very difficult" in review
    done = client.post(review_url, data={"csrf_token": csrf_token_from(review)}, follow_redirects=True)
    assert "have been sent to your practitioner" in done.get_data(as_text=True)
    stored = db.session.execute(db.select(QuestionnaireResponse)).scalar_one()
    assert (stored.status, stored.total, stored.band, stored.version, stored.flags) == (
        "submitted",
        10,
        "moderate",
        "2",
        [],
    )
    assert stored.answers["difficulty"] == 2  # stored, and the total is items 1-9 alone
    db.session.refresh(assignment)
    assert assignment.active is False  # a one-off is done
    assert "PHQ-9" not in client.get("/me/").get_data(as_text=True).split("To do")[1].split("Your handouts")[0]
    assert client.get(review_url, follow_redirects=True).status_code == 200  # sent already: back home, politely


def test_the_phq9_difficulty_question_may_be_left_empty(client, maya, client_user):
    assignment = send(client, maya, client_user)
    log_in(client, client_user.email)
    review_url = answer_all(client, f"/me/questionnaires/{assignment.id}", ["1"] * 9 + [""])
    client.post(review_url, data={"csrf_token": csrf_token_from(client.get(review_url).get_data(as_text=True))})
    stored = db.session.execute(db.select(QuestionnaireResponse)).scalar_one()
    assert (stored.status, stored.total, stored.answers["difficulty"]) == ("submitted", 9, None)


def test_a_draft_started_on_version_1_of_the_phq9_is_finished_on_it(client, maya, client_user):
    assignment = send(client, maya, client_user)
    db.session.add(
        QuestionnaireResponse(
            client_id=client_user.id,
            assignment_id=assignment.id,
            code="phq9",
            version="1",
            status="draft",
            answers={str(n): 1 for n in range(1, 9)},
        )
    )
    db.session.commit()
    log_in(client, client_user.email)
    review_url = answer_all(client, f"/me/questionnaires/{assignment.id}", ["1"])  # item 9 is its last question
    assert review_url.endswith("/review")
    client.post(review_url, data={"csrf_token": csrf_token_from(client.get(review_url).get_data(as_text=True))})
    stored = db.session.execute(db.select(QuestionnaireResponse)).scalar_one()
    assert (stored.status, stored.version, stored.total) == ("submitted", "1", 9) and "difficulty" not in stored.answers


def test_answers_are_kept_when_she_leaves_half_way(client, maya, client_user):
    assignment = send(client, maya, client_user, "gad7")
    log_in(client, client_user.email)
    first = client.get(f"/me/questionnaires/{assignment.id}").headers["Location"]
    page = client.get(first).get_data(as_text=True)
    client.post(first, data={"answer": "2", "csrf_token": csrf_token_from(page)})
    again = client.get(f"/me/questionnaires/{assignment.id}").headers["Location"]  # she comes back later
    assert again.endswith("/2")
    assert db.session.execute(db.select(QuestionnaireResponse)).scalar_one().answers == {"1": 2}


@pytest.mark.parametrize("bad", ["", "4", "-1", "abc"])
def test_a_missing_or_impossible_answer_is_explained_next_to_the_question(client, maya, client_user, bad):
    assignment = send(client, maya, client_user)
    log_in(client, client_user.email)
    first = client.get(f"/me/questionnaires/{assignment.id}").headers["Location"]
    page = client.get(first).get_data(as_text=True)
    refused = client.post(first, data={"answer": bad, "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 422
    assert "Please answer this question." in refused.get_data(
        as_text=True
    ) or "Please choose one of the answers." in refused.get_data(as_text=True)
    assert db.session.execute(db.select(QuestionnaireResponse)).scalar_one().answers == {}


def test_item_9_above_0_alerts_the_practitioner_without_health_data_in_the_subject(app_factory, make_user, smtp_server):
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    client = app.test_client()
    with app.app_context():
        maya = make_user(Role.PRACTITIONER, email="maya@example.com")
        clara = make_user(email="clara@example.com", name="Clara Client")
        assignment = send(client, maya, clara)
        log_in(client, clara.email)
        review_url = answer_all(client, f"/me/questionnaires/{assignment.id}", ["0"] * 8 + ["1", ""])
        client.post(review_url, data={"csrf_token": csrf_token_from(client.get(review_url).get_data(as_text=True))})
        assert db.session.execute(db.select(QuestionnaireResponse)).scalar_one().flags == ["self_harm_thoughts"]
    (alert,) = smtp_server.messages
    assert alert["To"] == "maya@example.com" and alert["Subject"] == "A client's answers need your attention"
    her_browser = app.test_client()
    log_in(her_browser, "maya@example.com")
    page = her_browser.get(f"/practitioner/clients/{clara.id}/diary").get_data(as_text=True)
    assert "Item 9 answered above 0" in page and "none-minimal" in page


def test_a_repeating_questionnaire_comes_back_after_its_weeks(client, maya, client_user, licensed_wording):
    from datetime import date, timedelta

    assignment = responses.assign(client_user, "hit6", 4, date(2030, 1, 1), maya)
    draft = responses.draft_for(assignment)
    for item in INSTRUMENTS["hit6"].items:
        responses.save_answer(draft, item, 10)
    responses.submit(draft, date(2030, 1, 1))
    assert (draft.total, draft.band) == (60, "severe impact")
    assert assignment.active and assignment.next_due == date(2030, 1, 1) + timedelta(weeks=4)
    assert responses.due_assignments(client_user.id, date(2030, 1, 28)) == []
    assert responses.due_assignments(client_user.id, date(2030, 1, 29)) == [assignment]
    with pytest.raises(ResponseError, match="sent already"):
        responses.submit(draft, date(2030, 1, 2))


def test_ibs_sss_skips_the_pain_questions_after_no_pain(client, maya, client_user, licensed_wording):
    from datetime import date

    assignment = responses.assign(client_user, "ibs_sss", None, date(2030, 1, 1), maya)
    draft = responses.draft_for(assignment)
    instrument = INSTRUMENTS["ibs_sss"]
    responses.save_answer(draft, instrument.items[0], False)  # no pain
    keys = [item.key for item in responses.items_to_ask(instrument, draft.answers)]
    assert "pain_severity" not in keys and "pain_days" not in keys
    with pytest.raises(ResponseError, match="answer question 2 first"):
        responses.submit(draft, date(2030, 1, 1))


def test_nobody_else_can_open_her_questionnaire(client, maya, client_user, make_user):
    assignment = send(client, maya, client_user)
    log_in(client, make_user(email="other@example.com").email)
    assert client.get(f"/me/questionnaires/{assignment.id}").status_code == 404
    with pytest.raises(ResponseError, match="Choose one of the questionnaires"):
        responses.assign(client_user, "made_up", None, assignment.next_due, maya)


def test_the_migraine_screener_is_asked_in_our_own_words_and_two_yes_screen_positive(client, maya, client_user):
    assignment = send(client, maya, client_user, "id_migraine")
    log_in(client, client_user.email)
    first = client.get(client.get(f"/me/questionnaires/{assignment.id}").headers["Location"]).get_data(as_text=True)
    assert "stopped you doing what you needed" in first and "Yes" in first
    review_url = answer_all(client, f"/me/questionnaires/{assignment.id}", ["yes", "no", "yes"])
    client.post(review_url, data={"csrf_token": csrf_token_from(client.get(review_url).get_data(as_text=True))})
    stored = db.session.execute(db.select(QuestionnaireResponse)).scalar_one()
    assert (stored.total, stored.band, stored.answers) == (
        2,
        "positive",
        {"disability": True, "nausea": False, "photophobia": True},
    )
