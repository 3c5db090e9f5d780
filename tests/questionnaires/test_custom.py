"""The practitioner's own questionnaires: built as a draft, published as frozen versions, answered by a client
with every kind of question, the sum score stored, and every response keeping the version it was answered on."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import CustomQuestionnaireVersion, QuestionnaireResponse, Role
from portal.questionnaires import custom, responses
from portal.questionnaires.custom import CustomError
from portal.questionnaires.responses import ResponseError
from tests.conftest import csrf_token_from, log_in, submit_form
from tests.questionnaires.test_responses import answer_all, send


def check_in(maya, sum_score=True):
    """A published two-question check-in: energy 0-10 and how often she felt bloated (points 0-2)."""
    q = custom.create_questionnaire(maya, "Weekly check-in", "This past week", sum_score=sum_score)
    custom.add_item(q, text="Energy", kind="scale_0_10")
    custom.add_item(q, text="How often bloated?", kind="single", options_text="Never = 0\nSome days = 1\nDaily = 2")
    custom.publish(q)
    return q


# Building and versions (plain functions) -----------------------------------------------------------------------


def test_answers_to_choose_from_are_read_one_per_line_with_optional_points():
    assert custom.parse_options("Never = 0\n\n  Some days=1 \nAlways") == [
        {"label": "Never", "points": 0},
        {"label": "Some days", "points": 1},
        {"label": "Always", "points": 0},
    ]
    with pytest.raises(CustomError, match="same words"):
        custom.parse_options("Yes\nyes")
    with pytest.raises(CustomError, match="no words"):
        custom.parse_options("= 3")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "", "kind": "single"}, "Write the question"),
        ({"text": "Pick", "kind": "single", "options_text": "Only one"}, "at least two answers"),
        ({"text": "Pick", "kind": "sliders"}, "what kind of answer"),
        ({"text": "How many", "kind": "number", "low": 5, "high": 5}, "lowest number must be below"),
        ({"text": "x" * 501, "kind": "short_text"}, "500 characters"),
    ],
)
def test_a_question_that_cannot_work_is_refused_with_a_reason(maya, fields, message):
    q = custom.create_questionnaire(maya, "Check-in")
    with pytest.raises(CustomError, match=message):
        custom.add_item(q, **fields)
    assert q.draft_items == []


def test_publishing_freezes_a_version_and_later_edits_need_a_new_one(maya):
    q = check_in(maya)
    with pytest.raises(CustomError, match="Nothing has changed since version 1"):
        custom.publish(q)
    custom.add_item(q, text="Anything else?", kind="long_text", required=False)
    custom.move_item(q, "q3", -1)
    assert [i["key"] for i in q.draft_items] == ["q1", "q3", "q2"]
    custom.remove_item(q, "q1")
    v1 = custom.latest_version(q.id)
    assert [i["key"] for i in v1.items] == ["q1", "q2"]  # the published version did not move
    v2 = custom.publish(q)
    assert (v2.number, [i["key"] for i in v2.items]) == (2, ["q3", "q2"])
    custom.add_item(q, text="New", kind="date")
    assert q.draft_items[-1]["key"] == "q4"  # keys are never reused, so old answers never point at new questions


def test_an_empty_draft_or_a_sum_score_with_nothing_to_add_cannot_be_published(maya):
    q = custom.create_questionnaire(maya, "Empty", sum_score=True)
    with pytest.raises(CustomError, match="at least one question"):
        custom.publish(q)
    custom.add_item(q, text="Notes", kind="long_text")
    with pytest.raises(CustomError, match="sum score needs"):
        custom.publish(q)


def test_the_sum_score_adds_choice_points_and_scales_and_skips_empty_answers(maya):
    q = check_in(maya)
    custom.add_item(
        q, text="Which foods?", kind="multiple", options_text="Dairy = 2\nWheat = 3\nNone = 0", required=False
    )
    custom.publish(q)
    instrument = custom.instrument(custom.code_of(q.id))
    assert custom.score_answers(instrument, {"q1": 7, "q2": 2, "q3": [0, 1]}).total == 7 + 2 + 5
    assert custom.score_answers(instrument, {"q1": 0, "q2": 0, "q3": None}).total == 0
    assert custom.score_range(instrument) == (0, 10 + 2 + 5)


def test_without_a_sum_score_nothing_is_scored(maya):
    q = check_in(maya, sum_score=False)
    assert custom.score_answers(custom.instrument(custom.code_of(q.id)), {"q1": 5, "q2": 1}) is None


# Answers of every kind are checked next to the question ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "expected"),
    [
        ("short_text", {}, "  Slept badly ", "Slept badly"),
        ("long_text", {}, "A" * 2000, "A" * 2000),
        ("date", {}, "2026-03-31", "2026-03-31"),
        ("number", {"low": 0, "high": 24}, "7,5", 7.5),
        ("number", {"low": 0, "high": 24}, "8", 8),
        ("multiple", {"options_text": "A\nB\nC"}, ["2", "0", "2"], [0, 2]),
        ("single", {"options_text": "A\nB"}, "1", 1),
        ("scale_0_10", {}, "10", 10),
    ],
)
def test_each_kind_of_answer_is_stored_as_it_should_be(maya, kind, extra, raw, expected):
    q = custom.create_questionnaire(maya, "Kinds")
    custom.add_item(q, text="Question", kind=kind, **extra)
    custom.publish(q)
    item = custom.instrument(custom.code_of(q.id)).items[0]
    assert responses.parse_answer(item, raw) == expected


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "message"),
    [
        ("short_text", {}, "x" * 201, "200 characters"),
        ("long_text", {}, "x" * 2001, "2,000 characters"),
        ("date", {}, "31/03/2026", "Enter a date"),
        ("date", {}, "1066-10-14", "between 1900 and 2100"),
        ("number", {"low": 0, "high": 24}, "25", "from 0 to 24"),
        ("number", {}, "lots", "Enter a number"),
        ("multiple", {"options_text": "A\nB"}, [], "at least one"),
        ("multiple", {"options_text": "A\nB"}, ["7"], "answers that apply"),
        ("single", {"options_text": "A\nB"}, "5", "choose one of the answers"),
        ("scale_0_10", {}, "11", "from 0 to 10"),
        ("short_text", {}, "   ", "Please answer"),
    ],
)
def test_a_missing_or_impossible_answer_is_explained(maya, kind, extra, raw, message):
    q = custom.create_questionnaire(maya, "Kinds")
    custom.add_item(q, text="Question", kind=kind, **extra)
    custom.publish(q)
    item = custom.instrument(custom.code_of(q.id)).items[0]
    with pytest.raises(ResponseError, match=message):
        responses.parse_answer(item, raw)


def test_an_optional_question_may_be_left_empty(maya):
    q = custom.create_questionnaire(maya, "Kinds")
    custom.add_item(q, text="Anything else?", kind="long_text", required=False)
    custom.add_item(q, text="Which?", kind="multiple", options_text="A\nB", required=False)
    custom.publish(q)
    text, choices = custom.instrument(custom.code_of(q.id)).items
    assert (responses.parse_answer(text, ""), responses.parse_answer(choices, [])) == (None, [])


# Through the pages ------------------------------------------------------------------------------------------------


def test_she_builds_publishes_and_sends_her_own_questionnaire_and_the_client_answers_it(client, maya, client_user):
    log_in(client, maya.email)
    made = submit_form(client, "/practitioner/questionnaires/", {"new-title": "Food and mood", "new-sum_score": "y"})
    edit_url = made.headers["Location"]
    q_id = int(edit_url.rstrip("/").split("/")[-1])
    for question in (
        {"text": "How was your energy?", "kind": "scale_0_10", "required": "y"},
        {"text": "Meals skipped", "kind": "single", "options": "None = 0\nOne = 1\nMore = 3", "required": "y"},
        {"text": "What did you eat yesterday?", "kind": "long_text"},
    ):
        added = submit_form(client, f"{edit_url}/questions", question, form_url=edit_url)
        assert added.status_code == 302
    page = client.get(edit_url).get_data(as_text=True)
    assert "How was your energy?" in page and "None (0) · One (1) · More (3)" in page
    published = submit_form(client, f"{edit_url}/publish", {}, form_url=edit_url, follow_redirects=True)
    assert "Version 1 published" in published.get_data(as_text=True)
    client.post("/account/logout", data={"csrf_token": csrf_token_from(published.get_data(as_text=True))})

    assignment = send(client, maya, client_user, custom.code_of(q_id))
    assert assignment.code == f"custom-{q_id}"
    log_in(client, client_user.email)
    assert "Food and mood" in client.get("/me/").get_data(as_text=True)
    review_url = answer_all(client, f"/me/questionnaires/{assignment.id}", ["6", "2", ""])
    review = client.get(review_url).get_data(as_text=True)
    assert "More" in review and "Left empty" in review
    client.post(review_url, data={"csrf_token": csrf_token_from(review)})
    stored = db.session.execute(db.select(QuestionnaireResponse)).scalar_one()
    assert (stored.status, stored.version, stored.total, stored.answers) == (
        "submitted",
        "1",
        9,
        {"q1": 6, "q2": 2, "q3": None},
    )


def test_a_response_keeps_the_version_it_was_answered_on_after_she_changes_the_questions(client, maya, client_user):
    q = check_in(maya)
    assignment = send(client, maya, client_user, custom.code_of(q.id))
    log_in(client, client_user.email)
    first = client.get(f"/me/questionnaires/{assignment.id}").headers["Location"]
    client.post(first, data={"answer": "4", "csrf_token": csrf_token_from(client.get(first).get_data(as_text=True))})
    custom.remove_item(q, "q2")  # she edits and publishes version 2 while the client is half-way
    custom.add_item(q, text="Sleep hours", kind="number", low=0, high=24)
    custom.publish(q)
    second = first.rsplit("/", 1)[0] + "/2"
    page = client.get(second).get_data(as_text=True)
    assert "How often bloated?" in page  # still the question of the version she started
    review_url = client.post(second, data={"answer": "1", "csrf_token": csrf_token_from(page)}).headers["Location"]
    client.post(review_url, data={"csrf_token": csrf_token_from(client.get(review_url).get_data(as_text=True))})
    stored = db.session.execute(db.select(QuestionnaireResponse)).scalar_one()
    assert (stored.version, stored.total, stored.answers) == ("1", 5, {"q1": 4, "q2": 1})
    assert db.session.scalar(db.select(db.func.count()).select_from(CustomQuestionnaireVersion)) == 2


def test_her_page_charts_a_summed_questionnaire_and_names_it(client, maya, client_user):
    q = check_in(maya)
    assignment = send(client, maya, client_user, custom.code_of(q.id))
    log_in(client, client_user.email)
    review_url = answer_all(client, f"/me/questionnaires/{assignment.id}", ["3", "1"])
    client.post(review_url, data={"csrf_token": csrf_token_from(client.get(review_url).get_data(as_text=True))})
    maya_client = client.application.test_client()
    log_in(maya_client, maya.email)
    page = maya_client.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    assert "Weekly check-in: 4" in page and "Weekly check-in over time" in page


def test_an_unpublished_archived_or_someone_elses_questionnaire_cannot_be_sent(maya, make_user, client_user):
    draft = custom.create_questionnaire(maya, "Draft only")
    with pytest.raises(ResponseError, match="Choose one of the questionnaires"):
        responses.assign(client_user, custom.code_of(draft.id), None, _today(), maya)
    archived = check_in(maya)
    custom.set_archived(archived, True)
    with pytest.raises(ResponseError):
        responses.assign(client_user, custom.code_of(archived.id), None, _today(), maya)
    colleague = make_user(Role.PRACTITIONER, email="colleague@example.com")
    theirs = check_in(colleague)
    with pytest.raises(ResponseError):
        responses.assign(client_user, custom.code_of(theirs.id), None, _today(), maya)


def test_nobody_else_can_open_or_change_her_questionnaires(client, maya, make_user, client_user):
    q = check_in(maya)
    colleague = make_user(Role.PRACTITIONER, email="colleague@example.com")
    log_in(client, colleague.email)
    assert client.get(f"/practitioner/questionnaires/{q.id}").status_code == 404
    page = client.get("/practitioner/questionnaires/").get_data(as_text=True)
    assert "Weekly check-in" not in page
    assert (
        client.post(
            f"/practitioner/questionnaires/{q.id}/publish", data={"csrf_token": csrf_token_from(page)}
        ).status_code
        == 404
    )
    other = client.application.test_client()
    log_in(other, client_user.email)
    assert other.get("/practitioner/questionnaires/").status_code == 404
    assert client.application.test_client().get("/practitioner/questionnaires/").status_code == 302  # log in first


def test_a_bad_question_on_the_page_is_explained_and_what_she_typed_is_kept(client, maya):
    q = custom.create_questionnaire(maya, "Check-in")
    log_in(client, maya.email)
    url = f"/practitioner/questionnaires/{q.id}"
    page = submit_form(
        client, f"{url}/questions", {"text": "Which symptoms?", "kind": "multiple", "options": "Only one"}, form_url=url
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "at least two answers" in html and "Which symptoms?" in html


def _today():
    from datetime import date

    return date(2026, 11, 25)


def test_the_first_question_cannot_move_up_nor_the_last_down(client, maya):
    q = check_in(maya)
    log_in(client, maya.email)
    page = client.get(f"/practitioner/questionnaires/{q.id}").get_data(as_text=True)
    assert "/questions/q1/up" not in page and "/questions/q1/down" in page
    assert "/questions/q2/up" in page and "/questions/q2/down" not in page


def test_progress_pages_show_scores_as_they_are_and_survive_a_questionnaire_without_a_score(
    app, maya, make_user, make_response
):
    clara = make_user(email="clara@example.com")
    own = check_in(maya, sum_score=False)
    make_response(clara, custom.code_of(own.id), answers={"q1": 5, "q2": 1})
    make_response(clara, "gsrs", total=2.07)
    browser = app.test_client()
    log_in(browser, maya.email)
    for url in (f"/practitioner/clients/{clara.id}/diary", f"/practitioner/clients/{clara.id}"):
        page = browser.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        assert "2.07" in text and ">27<" not in text and "GSRS: 27" not in text
