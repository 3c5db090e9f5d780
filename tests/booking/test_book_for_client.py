"""Booking for a client by the practice (booking.lifecycle.book_for_client): one session or a series, for a client
she may see or a new one who is invited to choose her password, paid at the session or paid now; and its page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.booking import lifecycle
from portal.booking.bookings import BookingError
from portal.extensions import db
from portal.models import Booking, BookingStatus, OutboxMessage, Payment, PaymentMethod, Role, User
from portal.payments import ledger
from portal.practice import settings
from tests.conftest import PRACTICE_TZ, csrf_token_from, log_in, mailed_path, outbox_messages, submit_form

LONDON = ZoneInfo(PRACTICE_TZ)
# Clocks go forward in London on Sunday 28 March 2027; a series of Mondays from 15 March crosses it.
BEFORE = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def monday_at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_clock_change(practice, client_user):
    first = monday_at(date(2027, 3, 15))
    done = lifecycle.book_for_client(
        client_user, practice.follow_up, first, practice.practitioner, every_weeks=1, count=3, now=BEFORE
    )
    assert [b.starts_at.astimezone(LONDON).strftime("%a %d %H:%M") for b in done.booked] == [
        "Mon 15 10:00",
        "Mon 22 10:00",
        "Mon 29 10:00",
    ]
    assert done.booked[2].starts_at == datetime(2027, 3, 29, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert done.skipped == [] and all(b.status == BookingStatus.CONFIRMED for b in done.booked)


@pytest.mark.parametrize("every", [2, 4])
def test_a_series_every_two_or_four_weeks(practice, client_user, every):
    done = lifecycle.book_for_client(
        client_user,
        practice.follow_up,
        monday_at(date(2027, 3, 1)),
        practice.practitioner,
        every_weeks=every,
        count=3,
        now=BEFORE - timedelta(days=1),
    )
    days = [b.starts_at.astimezone(LONDON).date() for b in done.booked]
    assert days == [date(2027, 3, 1) + timedelta(weeks=every * i) for i in range(3)]


def test_a_series_skips_taken_times_and_time_off_and_says_why(practice, client_user, make_user):
    other = make_user(email="other@example.com", name="Olive Other")
    taken = lifecycle.book_for_client(
        other,
        practice.follow_up,
        monday_at(date(2027, 3, 22)) + timedelta(minutes=30),
        practice.practitioner,
        now=BEFORE,
    )
    assert len(taken.booked) == 1
    settings.add_time_off(practice.practitioner, date(2027, 4, 5), date(2027, 4, 5), "Away")
    done = lifecycle.book_for_client(
        client_user, practice.follow_up, monday_at(date(2027, 3, 15)), practice.practitioner, count=4, now=BEFORE
    )
    assert [b.starts_at.astimezone(LONDON).date() for b in done.booked] == [date(2027, 3, 15), date(2027, 3, 29)]
    assert [(at.astimezone(LONDON).date(), why) for at, why in done.skipped] == [
        (date(2027, 3, 22), "That time is already taken by another session (or its buffer)."),
        (date(2027, 4, 5), "You are on time off that day."),
    ]


def test_the_buffer_of_another_session_counts_as_taken(practice, client_user, make_user):
    """Buffers: 15 minutes after each session by default; a session ending at 10:00 keeps 10:00-10:15."""
    other = make_user(email="other@example.com")
    lifecycle.book_for_client(
        other, practice.follow_up, monday_at(date(2027, 3, 15), 9), practice.practitioner, now=BEFORE
    )
    at_945 = monday_at(date(2027, 3, 15), 9) + timedelta(minutes=45)
    refused = lifecycle.book_for_client(client_user, practice.discovery, at_945, practice.practitioner, now=BEFORE)
    assert refused.booked == [] and "taken" in refused.skipped[0][1]
    at_1000 = at_945 + timedelta(minutes=15)
    assert lifecycle.book_for_client(client_user, practice.discovery, at_1000, practice.practitioner, now=BEFORE).booked


def test_the_team_is_not_held_to_notice_horizon_or_step_but_is_to_hours_and_the_past(practice, client_user):
    now = monday_at(date(2027, 3, 15), 9)
    soon = now + timedelta(minutes=7)  # inside the 12 hours' notice, off the 15-minute step
    assert lifecycle.book_for_client(client_user, practice.discovery, soon, practice.practitioner, now=now).booked
    far = monday_at(date(2027, 9, 13))  # beyond the 60 days' horizon
    assert lifecycle.book_for_client(client_user, practice.discovery, far, practice.practitioner, now=now).booked
    late = monday_at(date(2027, 3, 16), 16) + timedelta(minutes=30)  # 16:30 + 45 min ends after 17:00
    out = lifecycle.book_for_client(client_user, practice.follow_up, late, practice.practitioner, now=now)
    assert out.booked == [] and out.skipped[0][1] == "That time is outside your working hours."
    past = lifecycle.book_for_client(
        client_user, practice.discovery, now - timedelta(hours=1), practice.practitioner, now=now
    )
    assert past.skipped[0][1] == "That time has already passed."


def test_nothing_bookable_writes_nothing_not_even_the_new_client(app, practice):
    settings.add_time_off(practice.practitioner, date(2027, 3, 15), date(2027, 3, 15), "")
    before = (count(Booking), count(User), count(OutboxMessage))
    done = lifecycle.book_for_client(
        lifecycle.NewClient("Nina New", "nina@example.com"),
        practice.follow_up,
        monday_at(date(2027, 3, 15)),
        practice.practitioner,
        now=BEFORE,
    )
    assert done.booked == [] and done.client is None and len(done.skipped) == 1
    assert (count(Booking), count(User), count(OutboxMessage)) == before


def test_a_new_client_gets_an_account_and_an_invitation_to_choose_her_password(app, client, practice):
    done = lifecycle.book_for_client(
        lifecycle.NewClient("Nina New", "Nina@Example.com"),
        practice.follow_up,
        monday_at(date(2027, 3, 15)),
        practice.practitioner,
        now=BEFORE,
    )
    nina = done.client
    assert nina is not None and nina.role == Role.CLIENT and nina.email == "nina@example.com"
    assert nina.email_verified_at is None and nina.timezone == PRACTICE_TZ
    queued = db.session.execute(db.select(OutboxMessage.template).filter_by(recipient_id=nina.id)).scalars().all()
    assert sorted(queued) == ["booking_confirmed", "client_invitation"]
    invitation = next(m for m in outbox_messages(app) if m["Subject"] == "Your account: choose your password")
    link = mailed_path(invitation, "/account/welcome/")
    assert "Nina New" in client.get(link).get_data(as_text=True)
    saved = submit_form(client, link, {"password": "a calm new password 42"})
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/account/login")
    assert log_in(client, "nina@example.com", "a calm new password 42").headers["Location"] == "/me/"
    db.session.refresh(nina)
    assert nina.email_verified_at is not None
    client.post("/account/logout", data={"csrf_token": csrf_token_from(client.get("/me/").get_data(as_text=True))})
    again = client.get(link)
    assert again.status_code == 302  # used: the link is stale once her password is chosen


def test_a_new_client_whose_address_has_an_account_is_refused_and_nothing_is_written(practice, client_user):
    before = (count(Booking), count(User))
    with pytest.raises(BookingError, match="already an account"):
        lifecycle.book_for_client(
            lifecycle.NewClient("Clara Again", client_user.email.upper()),
            practice.follow_up,
            monday_at(date(2027, 3, 15)),
            practice.practitioner,
            now=BEFORE,
        )
    assert (count(Booking), count(User)) == before
    db.session.commit()  # nothing half-written is left for a later commit
    assert (count(Booking), count(User)) == before


def test_paid_now_records_the_price_as_paid_for_each_session(practice, client_user):
    done = lifecycle.book_for_client(
        client_user,
        practice.follow_up,
        monday_at(date(2027, 3, 15)),
        practice.practitioner,
        count=2,
        paid_by=ledger.paid_now(PaymentMethod.BANK_TRANSFER, "Paid when booked", practice.practitioner),
        now=BEFORE,
    )
    paid = db.session.execute(db.select(Payment).order_by(Payment.id)).scalars().all()
    assert [(p.booking_id, p.amount_minor, p.method, p.status) for p in paid] == [
        (b.id, 8500, "bank_transfer", "succeeded") for b in done.booked
    ]


def test_paid_at_the_session_and_free_sessions_record_no_payment(practice, client_user):
    lifecycle.book_for_client(
        client_user, practice.follow_up, monday_at(date(2027, 3, 15)), practice.practitioner, now=BEFORE
    )
    lifecycle.book_for_client(
        client_user,
        practice.discovery,
        monday_at(date(2027, 3, 16)),
        practice.practitioner,
        paid_by=ledger.paid_now(PaymentMethod.CASH, "", practice.practitioner),
        now=BEFORE,
    )
    assert count(Booking) == 2 and count(Payment) == 0


def test_a_practitioner_books_only_her_own_services(practice, client_user, make_user):
    jonah = make_user(Role.PRACTITIONER, email="jonah@example.com")
    with pytest.raises(BookingError, match="only your own services"):
        lifecycle.book_for_client(client_user, practice.follow_up, monday_at(date(2027, 3, 15)), jonah, now=BEFORE)
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    assert lifecycle.book_for_client(
        client_user, practice.follow_up, monday_at(date(2027, 3, 15)), desk, now=BEFORE
    ).booked


@pytest.mark.parametrize("every, times", [(3, 2), (1, 27), (1, 0)])
def test_a_series_outside_its_limits_is_refused(practice, client_user, every, times):
    with pytest.raises(BookingError):
        lifecycle.book_for_client(
            client_user,
            practice.follow_up,
            monday_at(date(2027, 3, 15)),
            practice.practitioner,
            every_weeks=every,
            count=times,
            now=BEFORE,
        )


# The page ---------------------------------------------------------------------------------------------------------


def _form(**fields) -> dict:
    when = (datetime.now(UTC) + timedelta(days=14)).astimezone(LONDON).date()
    return {
        "client_id": "0",
        "new_name": "",
        "new_email": "",
        "service_id": "",
        "day": when.isoformat(),
        "time": "10:00",
        "repeat": "0",
        "count": "6",
        "payment": "at_session",
        "paid_by": "cash",
    } | {k: str(v) for k, v in fields.items()}


def test_the_form_books_a_new_client_and_opens_the_session(client, practice):
    log_in(client, practice.practitioner.email)
    response = submit_form(
        client,
        "/practitioner/book",
        _form(new_name="Nina New", new_email="nina@example.com", service_id=practice.follow_up.id),
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/practitioner/bookings/")
    nina = db.session.execute(db.select(User).filter_by(email="nina@example.com")).scalar_one()
    assert db.session.execute(db.select(Booking).filter_by(client_id=nina.id)).scalar_one().price_minor == 8500


def test_the_form_prefills_the_time_from_the_calendar_in_her_zone(client, practice, client_user):
    log_in(client, practice.practitioner.email)
    page = client.get(f"/practitioner/book?start=2027-07-05T09:30Z&client={client_user.id}").get_data(as_text=True)
    assert 'value="2027-07-05"' in page and 'value="10:30"' in page  # 09:30 UTC is 10:30 BST
    assert f'<option selected value="{client_user.id}">' in page


def test_a_series_page_lists_what_was_booked_and_what_was_not(client, practice, client_user, make_user):
    log_in(client, practice.practitioner.email)
    when = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=7)
    settings.add_time_off(practice.practitioner, when + timedelta(weeks=1), when + timedelta(weeks=1), "")
    page = submit_form(
        client,
        "/practitioner/book",
        _form(client_id=client_user.id, service_id=practice.follow_up.id, day=when.isoformat(), repeat=1, count=3),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2 sessions are booked" in html and "Not booked (1)" in html
    assert "You are on time off that day." in html


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, practice, client_user):
    log_in(client, practice.practitioner.email)
    page = submit_form(
        client,
        "/practitioner/book",
        _form(new_name="Nina New", service_id=practice.follow_up.id, repeat=1, count=40),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and count(Booking) == 0
    assert "Enter the new client&#39;s e-mail address." in html and "Enter a number from 2 to 26." in html
    assert 'value="Nina New"' in html


def test_a_time_that_cannot_be_booked_says_why_and_books_nothing(client, practice, client_user):
    log_in(client, practice.practitioner.email)
    page = submit_form(
        client, "/practitioner/book", _form(client_id=client_user.id, service_id=practice.follow_up.id, time="20:00")
    )
    assert page.status_code == 422 and "outside your working hours" in page.get_data(as_text=True)
    assert count(Booking) == 0


def test_a_client_off_her_care_team_is_not_found(client, practice, make_user):
    jonah = make_user(Role.PRACTITIONER, email="jonah@example.com")
    stranger = make_user(email="stranger@example.com")
    log_in(client, jonah.email)
    assert client.get(f"/practitioner/book?client={stranger.id}").status_code == 404
    page = client.get("/practitioner/book").get_data(as_text=True)
    assert "stranger@example.com" not in page
    posted = client.post("/practitioner/book", data=_form(client_id=stranger.id, csrf_token=csrf_token_from(page)))
    assert posted.status_code == 404 and count(Booking) == 0


def test_the_assistant_books_any_practitioner_s_service(client, practice, client_user, make_user):
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    log_in(client, desk.email)
    response = submit_form(
        client,
        "/practitioner/book",
        _form(client_id=client_user.id, service_id=practice.follow_up.id, payment="paid_now", paid_by="cash"),
    )
    assert response.status_code == 302
    assert db.session.execute(db.select(Payment.method)).scalar_one() == "cash"


def test_a_client_cannot_open_the_form(client, client_user):
    log_in(client, client_user.email)
    assert client.get("/practitioner/book").status_code == 404
