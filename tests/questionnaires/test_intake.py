"""The intake set: the questionnaires the practitioner chooses in settings are sent with a client's first
booking, once, and appear under "To do" on her home page."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Assignment, BookingRules
from portal.questionnaires import custom
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


def test_her_first_booking_sends_the_intake_set_and_later_bookings_do_not(client, practice, client_user):
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
    assert "PHQ-9" in todo and "MIDAS" in todo and "Food and symptoms history" in todo
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
