"""The intake set: the questionnaires the practitioner chooses in settings are sent with a client's first
booking, once, and appear under "To do" on her home page."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Assignment, BookingRules
from portal.questionnaires import custom, responses
from portal.questionnaires.responses import ResponseError
from tests.booking.test_views import book_via_pages
from tests.conftest import csrf_token_from, log_in, submit_form


def choose_intake(client, practice, codes: list[str]):
    log_in(client, practice.practitioner.email)
    saved = submit_form(
        client,
        "/practitioner/questionnaires/intake",
        {"codes": codes},
        form_url="/practitioner/questionnaires/",
        follow_redirects=True,
    )
    client.post("/account/logout", data={"csrf_token": csrf_token_from(saved.get_data(as_text=True))})
    return saved


def intake_codes(client_id: int) -> list[str]:
    return list(
        db.session.execute(
            db.select(Assignment.code).filter_by(client_id=client_id, intake=True).order_by(Assignment.id)
        ).scalars()
    )


def test_her_first_booking_sends_the_intake_set_and_later_bookings_do_not(
    client, practice, client_user, licensed_wording
):
    own = custom.create_questionnaire(practice.practitioner, "Food and symptoms history")
    custom.add_item(own, text="What do you eat on a usual day?", kind="long_text")
    custom.publish(own)
    saved = choose_intake(client, practice, ["phq9", "midas", custom.code_of(own.id)])
    assert "New clients will find these" in saved.get_data(as_text=True)
    rules = db.session.get(BookingRules, practice.practitioner.id)
    db.session.refresh(rules)
    assert rules.intake_codes == ["phq9", "midas", custom.code_of(own.id)]

    log_in(client, client_user.email)
    first, second = practice.free(practice.discovery)[0], practice.free(practice.discovery)[8]
    book_via_pages(client, practice.discovery, first)
    assert intake_codes(client_user.id) == ["phq9", "midas", custom.code_of(own.id)]
    todo = client.get("/me/").get_data(as_text=True).split("To do")[1]
    assert "Mood check" in todo and "Migraine days and impact" in todo and "Food and symptoms history" in todo
    assert '<small class="muted">PHQ-9</small>' in todo  # the instrument's name, small
    book_via_pages(client, practice.discovery, second)
    assert len(intake_codes(client_user.id)) == 3  # never twice


def test_with_no_intake_set_a_booking_sends_nothing(client, practice, client_user):
    log_in(client, client_user.email)
    book_via_pages(client, practice.discovery, practice.free(practice.discovery)[0])
    assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)) == 0


def test_an_intake_set_naming_an_unknown_questionnaire_is_refused(client, practice):
    saved = choose_intake(client, practice, ["phq9", "custom-999"])
    assert "Choose questionnaires from the list" in saved.get_data(as_text=True)
    assert db.session.get(BookingRules, practice.practitioner.id).intake_codes == []


def test_without_their_wording_licensed_questionnaires_are_not_offered_for_the_intake_set(client, practice):
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/questionnaires/").get_data(as_text=True)
    intake = page.split('id="intake"')[1]
    assert 'value="phq9"' in intake and 'value="id_migraine"' in intake
    for code in ("midas", "hit6", "ibs_sss", "gsrs"):
        assert f'value="{code}"' not in intake
    notice = intake.split('id="licence-notice">')[1].split("</p>")[0]
    assert notice == (
        "MIDAS, HIT-6, IBS-SSS and GSRS are licensed: their wording has to be loaded before you can send them. "
        "Ask whoever runs the portal to load it."
    )
    assert "LICENSED_CONTENT" not in page  # no setting names on her page either
    client.post("/account/logout", data={"csrf_token": csrf_token_from(page)})
    saved = choose_intake(client, practice, ["phq9", "hit6"]).get_data(as_text=True)
    assert "HIT-6 is licensed: its wording has to be loaded before you can send it." in saved
    assert db.session.get(BookingRules, practice.practitioner.id).intake_codes == []


def test_an_intake_set_saved_with_wording_that_is_later_unloaded_sends_the_rest_and_says_so(
    app, client, practice, client_user, licensed_wording
):
    responses.save_intake_set(practice.rules, ["phq9", "hit6"])
    app.config["LICENSED_CONTENT"] = None  # the practice stops loading the wording
    with pytest.raises(ResponseError, match="HIT-6 is licensed"):
        responses.save_intake_set(practice.rules, ["phq9", "hit6"])
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/questionnaires/").get_data(as_text=True)
    assert "HIT-6 is in your intake set but won't be sent until its wording is loaded again" in page
    client.post("/account/logout", data={"csrf_token": csrf_token_from(page)})
    log_in(client, client_user.email)
    book_via_pages(client, practice.discovery, practice.free(practice.discovery)[0])
    assert intake_codes(client_user.id) == ["phq9"]
