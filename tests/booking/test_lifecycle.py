"""booking/lifecycle.py: each change writes its rows and queues its e-mails in one transaction, and confirming a
booking sends the intake set however the booking came about."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import NoResultFound

from portal.accounts import users
from portal.booking import bookings, lifecycle
from portal.booking.bookings import BookingError
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Assignment, Booking, BookingRules, BookingStatus, Role
from portal.practice import team
from portal.questionnaires import responses
from urllib.parse import quote

from portal.booking.pages import iso
from tests.conftest import log_in, outbox_messages, submit_form


@pytest.fixture
def intake(practice, licensed_wording):
    """Her intake set: HIT-6 and IBS-SSS (their wording loaded), sent with a client's first confirmed booking."""
    responses.save_intake_set(practice.rules, ["hit6", "ibs_sss"])
    return ["hit6", "ibs_sss"]


def intake_codes(client) -> list[str]:
    rows = db.session.execute(db.select(Assignment).filter_by(client_id=client.id, intake=True)).scalars()
    return sorted(a.code for a in rows)


def subjects_to(app, person) -> list[str]:
    return [m["Subject"] for m in outbox_messages(app) if m["To"] == person.email]


def test_booking_a_free_session_confirms_it_tells_both_sides_and_sends_the_intake_set(app, practice, make_user, intake):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = lifecycle.book(clara, practice.discovery, practice.free(practice.discovery)[0], needs_payment=False)
    assert booking.status == BookingStatus.CONFIRMED
    assert intake_codes(clara) == intake
    assert [s.split(":")[0] for s in subjects_to(app, clara)] == ["Your session is booked"]
    assert [s.split(":")[0] for s in subjects_to(app, practice.practitioner)] == ["New booking"]


def test_a_booking_waiting_for_its_card_payment_sends_nothing_yet(app, practice, make_user, intake):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = lifecycle.book(clara, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=True)
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert intake_codes(clara) == [] and subjects_to(app, clara) == []


def test_confirming_the_payment_sends_the_intake_set_and_the_confirmation_once(app, practice, make_user, intake):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = lifecycle.book(clara, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=True)
    assert lifecycle.confirm_payment(booking) is True
    assert lifecycle.confirm_payment(booking) is True  # a second delivery of the webhook changes nothing
    assert intake_codes(clara) == intake
    assert [s.split(":")[0] for s in subjects_to(app, clara)] == ["Your session is booked"]


def test_a_payment_for_a_time_taken_meanwhile_keeps_nothing_of_the_confirmation(app, practice, make_user, intake):
    """The overlap is refused by the database at the flush: the status, the intake set and the e-mails roll back
    together, so she is not told she is booked and is sent no questionnaires."""
    clara, other = make_user(Role.CLIENT, email="clara@example.com"), make_user(Role.CLIENT, email="o@example.com")
    start = practice.free(practice.follow_up)[0]
    booking = lifecycle.book(clara, practice.follow_up, start, needs_payment=True)
    lifecycle.expire_holds(utcnow() + timedelta(hours=1))
    lifecycle.book(other, practice.follow_up, start, needs_payment=False)
    assert lifecycle.confirm_payment(booking) is False
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED
    assert intake_codes(clara) == [] and subjects_to(app, clara) == []


def test_the_desk_booking_for_a_client_confirms_it_like_any_other_booking(app, practice, make_user, intake):
    """Booked from Settings → Team by the assistant: confirmed, both sides told, and the intake set sent."""
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    clara = make_user(Role.CLIENT, email="clara@example.com")
    browser = app.test_client()
    log_in(browser, desk.email)
    start = practice.free(practice.follow_up)[2]
    url = f"/practitioner/clients/{clara.id}/book/{practice.follow_up.id}/confirm"
    assert (
        submit_form(browser, url, {"start": iso(start)}, form_url=f"{url}?start={quote(iso(start))}").status_code == 302
    )
    assert intake_codes(clara) == intake
    assert [s.split(":")[0] for s in subjects_to(app, clara)] == ["Your session is booked"]


def test_moving_a_session_tells_her_the_new_time(app, practice, make_user):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    start = practice.free(practice.follow_up)[2]
    booking = lifecycle.book(clara, practice.follow_up, start, needs_payment=False)
    lifecycle.move(booking, start + timedelta(days=1), desk)
    assert [s.split(" to ")[0] for s in subjects_to(app, clara)][-1] == "Your session has moved"
    assert booking.sequence == 1


def test_cancelling_tells_both_sides_and_a_second_cancel_is_refused(app, practice, make_user):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = lifecycle.book(clara, practice.follow_up, practice.free(practice.follow_up)[5], needs_payment=False)
    lifecycle.cancel(booking, practice.practitioner, reason="Unwell")
    with pytest.raises(BookingError, match="already cancelled"):
        lifecycle.cancel(booking, practice.practitioner)
    assert any(s.startswith("Booking cancelled") for s in subjects_to(app, practice.practitioner))
    assert sum(s.startswith("Your session on") for s in subjects_to(app, clara)) == 1


def test_marking_an_outcome_sends_nothing(app, practice, make_user):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = lifecycle.book(clara, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=False)
    before = len(outbox_messages(app))
    lifecycle.record_outcome(booking, BookingStatus.COMPLETED, practice.practitioner, now=booking.starts_at)
    assert booking.status == BookingStatus.COMPLETED and len(outbox_messages(app)) == before


# Upcoming: one meaning for every page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ends_in", "upcoming"),
    [
        (BookingStatus.CONFIRMED, timedelta(minutes=1), True),
        (BookingStatus.PENDING_PAYMENT, timedelta(days=3), True),
        (BookingStatus.CONFIRMED, timedelta(0), False),  # over the moment it ends
        (BookingStatus.COMPLETED, timedelta(minutes=10), False),  # marked completed before its end
        (BookingStatus.CANCELLED, timedelta(days=3), False),
        (BookingStatus.EXPIRED, timedelta(days=3), False),
    ],
)
def test_upcoming_means_active_and_not_yet_over_in_python_and_in_sql(practice, make_user, status, ends_in, upcoming):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    booking = lifecycle.book(clara, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=False)
    booking.status = status.value
    db.session.commit()
    now = booking.ends_at - ends_in
    assert booking.is_upcoming(now) is upcoming
    found = db.session.execute(db.select(Booking.id).filter(Booking.id == booking.id, Booking.upcoming(now))).all()
    assert bool(found) is upcoming


# Booking rules come with the practitioner -----------------------------------------------------------------


def test_a_practitioner_has_her_booking_rules_from_the_start_in_her_own_zone(app):
    maya = users.create_user(
        role=Role.PRACTITIONER,
        name="Maya",
        email="maya@example.com",
        password="quiet-morning-walk",
        timezone="Asia/Tokyo",
    )
    assert bookings.rules_for(maya.id).timezone == "Asia/Tokyo"


def test_clients_and_the_assistant_have_no_booking_rules_until_she_becomes_a_practitioner(app, make_user):
    make_user(Role.PRACTITIONER, email="owner@example.com")
    owner = users.find_user_by_email("owner@example.com")
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    clara = make_user(Role.CLIENT, email="clara@example.com")
    assert db.session.get(BookingRules, desk.id) is None and db.session.get(BookingRules, clara.id) is None
    team.change_role(desk, Role.PRACTITIONER, owner)
    assert bookings.rules_for(desk.id).timezone == desk.timezone


def test_when_a_practice_has_no_rules_for_someone_the_error_is_loud_not_a_silent_default(app, make_user):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    with pytest.raises(NoResultFound):
        bookings.rules_for(clara.id)
