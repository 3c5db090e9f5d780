"""The test factories make rows the way the portal does: through its booking rules, ledger and scoring."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.booking.bookings import BookingError
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import BookingEvent, CareTeam
from tests.factories import answers_for


def test_a_past_completed_session_is_booked_then_marked_completed(practice, client_user, make_booking):
    booking = make_booking(client_user, status="completed", in_days=-10)
    assert booking.status == "completed" and booking.starts_at < utcnow() - timedelta(days=9)
    history = db.session.execute(db.select(BookingEvent.action).filter_by(booking_id=booking.id)).scalars().all()
    assert history == ["created", "completed"]
    on_team = db.select(CareTeam).filter_by(practitioner_id=practice.practitioner.id, client_id=client_user.id)
    assert db.session.execute(on_team).scalar_one_or_none() is not None


def test_a_booking_goes_to_the_first_free_time_of_its_day(practice, client_user, make_booking):
    first = make_booking(client_user, in_days=5)
    second = make_booking(client_user, in_days=5)
    assert first.starts_at.date() == second.starts_at.date() and second.starts_at > first.ends_at


def test_a_session_that_has_not_started_can_not_be_made_completed(practice, client_user, make_booking):
    with pytest.raises(BookingError):
        make_booking(client_user, status="completed", in_days=3)


def test_a_manual_payment_with_a_refund_goes_through_the_ledger(practice, client_user, make_booking, make_payment):
    payment = make_payment(make_booking(client_user), refunded_minor=1000)
    assert (payment.status, payment.amount_minor, payment.refunded_minor) == ("succeeded", 8500, 1000)
    assert payment.recorded_by_id == practice.practitioner.id


def test_a_response_from_a_total_is_scored_by_the_scoring(client_user, make_response):
    response = make_response(client_user, "hit6", total=58, days_ago=3)
    assert (response.total, response.band, response.status) == (58, "substantial impact", "submitted")
    assert sum(response.answers.values()) == 58
    assert response.submitted_at < utcnow() - timedelta(days=2)


def test_kept_answers_raise_the_phq9_alert(client_user, make_response):
    response = make_response(client_user, "phq9", total=12, answers={"9": 1})
    assert (response.total, response.band, response.flags) == (12, "moderate", ["self_harm_thoughts"])


def test_a_total_alone_never_raises_the_alert():
    assert answers_for("phq9", 27 - 3)["9"] == 0


def test_an_impossible_total_is_refused():
    with pytest.raises(ValueError, match="add up to 37"):
        answers_for("hit6", 37)


def test_answers_are_stored_encrypted(client_user, make_response, owner_engine):
    response = make_response(
        client_user, "id_migraine", answers={"disability": True, "nausea": False, "photophobia": True}
    )
    with owner_engine.connect() as conn:
        stored = conn.execute(
            db.text("SELECT answers FROM questionnaire_responses WHERE id = :id"), {"id": response.id}
        ).scalar_one()
    assert "disability" not in str(stored)


def test_count_queries_counts_each_statement(app, count_queries):
    with count_queries() as queries:
        db.session.execute(db.text("SELECT 1"))
        db.session.execute(db.text("SELECT 2"))
    assert queries.count == 2 and queries.statements[1] == "SELECT 2"
