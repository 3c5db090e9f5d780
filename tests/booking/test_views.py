"""The booking pages over HTTP: what a client, a visitor and the practitioner see and can do."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, unquote

import pytest

from portal.booking import lifecycle
from portal.booking.pages import iso
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingStatus
from tests.conftest import (
    PRACTICE_TZ,
    TEST_PASSWORD,
    csrf_token_from,
    log_in,
    mailed_path,
    outbox_messages,
    submit_form,
)


def count_bookings() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Booking))


def confirm_url(service, start) -> str:
    return f"/book/{service.id}/confirm?start={quote(iso(start))}"


def book_via_pages(client, service, start):
    return submit_form(
        client, f"/book/{service.id}/confirm", {"start": iso(start)}, form_url=confirm_url(service, start)
    )


def test_visitors_see_active_services_and_free_times_in_their_zone(client, practice):
    practice.discovery.active = False
    db.session.commit()
    page = client.get("/book/").get_data(as_text=True)
    assert "Follow-up" in page and "£85.00" in page and "Discovery call" not in page
    first = practice.free(practice.follow_up)[0]
    kolkata = client.get(f"/book/{practice.follow_up.id}/?tz=Asia/Kolkata").get_data(as_text=True)
    local = first.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Kolkata"))
    assert f">{local:%H:%M}</a>" in kolkata and local.minute in (0, 15, 30, 45)
    assert client.get(f"/book/{practice.discovery.id}/").status_code == 404


def test_a_logged_in_client_sees_times_in_her_own_zone(client, practice, make_user):
    make_user(email="ny@example.com", timezone="America/New_York")
    log_in(client, "ny@example.com")
    first = practice.free(practice.follow_up)[0]
    page = client.get(f"/book/{practice.follow_up.id}/").get_data(as_text=True)
    local = first.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert "Eastern US – New York" in page and f">{local:%H:%M}</a>" in page


def test_a_client_books_a_slot_and_sees_it_on_her_home_page(client, practice, client_user):
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    confirm = client.get(confirm_url(practice.follow_up, start)).get_data(as_text=True)
    assert "Confirm your booking" in confirm and "24 hours before" in confirm
    response = book_via_pages(client, practice.follow_up, start)
    booking = db.session.execute(db.select(Booking)).scalar_one()
    assert response.headers["Location"].endswith(f"/me/bookings/{booking.id}")
    assert (booking.client_id, booking.starts_at, booking.status) == (client_user.id, start, "confirmed")
    home = client.get("/me/").get_data(as_text=True)
    assert "Follow-up" in home and "Confirmed" in home
    assert start not in practice.free(practice.follow_up)


def test_a_visitor_logs_in_on_the_way_without_losing_her_choice(client, practice, client_user):
    start = practice.free(practice.follow_up)[0]
    response = client.get(confirm_url(practice.follow_up, start))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    login = submit_form(client, response.headers["Location"], {"email": client_user.email, "password": TEST_PASSWORD})
    assert unquote(login.headers["Location"]).endswith(unquote(confirm_url(practice.follow_up, start)))
    assert "Confirm your booking" in client.get(login.headers["Location"]).get_data(as_text=True)


def test_a_visitor_signs_up_on_the_way_and_the_emailed_link_brings_her_back_to_her_choice(app, client, practice):
    start = practice.free(practice.follow_up)[0]
    login_url = client.get(confirm_url(practice.follow_up, start)).headers["Location"]
    signup_link = client.get(login_url).get_data(as_text=True)
    assert "/account/signup?next=" in signup_link
    next_url = login_url.split("next=", 1)[1]
    response = submit_form(
        client,
        f"/account/signup?next={next_url}",
        {"name": "New Person", "email": "new@example.com", "password": TEST_PASSWORD, "timezone": "Europe/Paris"},
    )
    assert response.headers["Location"] == "/account/signup/check-your-email"
    (message,) = outbox_messages(app)
    response = submit_form(client, mailed_path(message, "/account/confirm/"), {})
    assert unquote(response.headers["Location"]).endswith(unquote(confirm_url(practice.follow_up, start)))
    assert "Confirm your booking" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert book_via_pages(client, practice.follow_up, start).status_code == 302
    assert count_bookings() == 1


def test_a_taken_slot_says_so_and_offers_the_next_free_times(client, practice, client_user, make_user):
    start = practice.free(practice.follow_up)[0]
    lifecycle.book(make_user(), practice.follow_up, start, needs_payment=False)
    log_in(client, client_user.email)
    page = client.get(confirm_url(practice.follow_up, start))  # she opened the page before it was taken
    response = client.post(
        f"/book/{practice.follow_up.id}/confirm",
        data={"start": iso(start), "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "This time was just taken." in body
    assert body.count('class="slot slot--wide"') == 5
    assert count_bookings() == 1


@pytest.mark.parametrize("bad_start", ["yesterday", "2030-13-40T10:00Z", "2020-01-01T10:00Z", "1" * 200, ""])
def test_nonsense_or_past_times_change_nothing(client, practice, client_user, bad_start):
    log_in(client, client_user.email)
    page = client.get(f"/book/{practice.follow_up.id}/").get_data(as_text=True)
    response = client.post(
        f"/book/{practice.follow_up.id}/confirm",
        data={"start": bad_start, "csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    assert response.status_code in (200, 409)
    body = response.get_data(as_text=True)
    assert "Please choose a time from the list." in body or "already passed" in body
    assert count_bookings() == 0


def test_a_time_off_the_step_is_refused(client, practice, client_user):
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0] + timedelta(minutes=7)
    response = book_via_pages(client, practice.follow_up, start)
    assert response.status_code == 409 and "not one of the practice" in response.get_data(as_text=True)
    assert count_bookings() == 0


def test_a_tampered_price_is_ignored_and_a_tampered_service_is_refused(client, practice, client_user):
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    page = client.get(confirm_url(practice.follow_up, start)).get_data(as_text=True)
    client.post(
        f"/book/{practice.follow_up.id}/confirm",
        data={
            "start": iso(start),
            "price_minor": "0",
            "service_id": practice.discovery.id,
            "csrf_token": csrf_token_from(page),
        },
    )
    booking = db.session.execute(db.select(Booking)).scalar_one()
    assert (booking.service_id, booking.price_minor) == (practice.follow_up.id, 8500)
    assert (
        client.post(
            "/book/99999/confirm",
            data={"start": iso(start), "csrf_token": csrf_token_from(page)},
            follow_redirects=True,
        )
        .get_data(as_text=True)
        .count("can no longer be booked")
        == 1
    )


def test_a_service_switched_off_while_she_confirms_is_refused(client, practice, client_user):
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    page = client.get(confirm_url(practice.follow_up, start)).get_data(as_text=True)
    practice.follow_up.active = False
    db.session.commit()
    response = client.post(
        f"/book/{practice.follow_up.id}/confirm",
        data={"start": iso(start), "csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    assert "can no longer be booked" in response.get_data(as_text=True)
    assert count_bookings() == 0


def test_a_forged_csrf_token_books_nothing(client, practice, client_user):
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    response = client.post(f"/book/{practice.follow_up.id}/confirm", data={"start": iso(start), "csrf_token": "forged"})
    assert response.status_code == 400 and count_bookings() == 0


def _booked(practice, client_user, days_ahead: int = 3) -> Booking:
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=days_ahead)][0]
    return lifecycle.book(client_user, practice.follow_up, start, needs_payment=False)


def test_someone_elses_booking_is_404_everywhere(client, practice, client_user, make_user):
    booking = _booked(practice, make_user())
    log_in(client, client_user.email)
    page = client.get("/me/").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.get(f"/me/bookings/{booking.id}").status_code == 404
    assert client.get(f"/me/bookings/{booking.id}/reschedule").status_code == 404
    assert (
        client.post(
            f"/me/bookings/{booking.id}/reschedule/confirm",
            data={"start": iso(booking.starts_at + timedelta(days=1)), "csrf_token": token},
        ).status_code
        == 404
    )
    assert client.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/practitioner/bookings/{booking.id}").status_code == 404
    db.session.refresh(booking)
    assert booking.status == "confirmed" and booking.sequence == 0


def test_a_client_moves_and_then_cancels_her_session_once(client, practice, client_user):
    booking = _booked(practice, client_user)
    log_in(client, client_user.email)
    page = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    assert "Move to another time" in page and "Cancel session" in page
    slots_page = client.get(f"/me/bookings/{booking.id}/reschedule").get_data(as_text=True)
    assert "Move your session" in slots_page
    new_start = [s for s in practice.free(practice.follow_up) if s > booking.starts_at + timedelta(days=1)][0]
    url = f"/me/bookings/{booking.id}/reschedule/confirm"
    moved = submit_form(client, url, {"start": iso(new_start)}, form_url=f"{url}?start={quote(iso(new_start))}")
    assert moved.status_code == 302
    db.session.refresh(booking)
    assert booking.starts_at == new_start and booking.sequence == 1
    cancel_url = f"/bookings/{booking.id}/cancel"
    first = submit_form(
        client, cancel_url, {"reason": "Away"}, form_url=f"/me/bookings/{booking.id}", follow_redirects=True
    )
    assert "Your session is cancelled" in first.get_data(as_text=True)
    second = client.post(
        cancel_url, data={"csrf_token": csrf_token_from(first.get_data(as_text=True))}, follow_redirects=True
    )
    assert "already cancelled" in second.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.status == "cancelled" and booking.sequence == 2


def test_inside_the_window_the_page_explains_the_policy_instead_of_buttons(client, practice, client_user):
    practice.rules.cancellation_window_hours = 24 * 14
    db.session.commit()
    booking = _booked(practice, client_user, days_ahead=1)
    log_in(client, client_user.email)
    page = client.get(f"/me/bookings/{booking.id}").get_data(as_text=True)
    assert "up to 336 hours before they start" in page and "Cancel session" not in page
    assert "Move to another time" not in page
    refused = client.post(
        f"/bookings/{booking.id}/cancel", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True
    )
    assert "Please contact the practice" in refused.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.status == "confirmed"


def test_the_practitioner_sees_her_agenda_and_manages_a_booking(client, practice, client_user):
    booking = _booked(practice, client_user)
    log_in(client, practice.practitioner.email)
    local_day = booking.starts_at.astimezone(__import__("zoneinfo").ZoneInfo(PRACTICE_TZ)).date()
    day = client.get(f"/practitioner/agenda?date={local_day.isoformat()}").get_data(as_text=True)
    assert client_user.name in day and "Follow-up" in day
    week = client.get(f"/practitioner/agenda?view=week&date={local_day.isoformat()}").get_data(as_text=True)
    assert client_user.name in week and week.count('class="agenda-day') == 7
    empty = client.get(f"/practitioner/agenda?date={(local_day + timedelta(days=1)).isoformat()}")
    assert "No sessions." in empty.get_data(as_text=True)

    detail_url = f"/practitioner/bookings/{booking.id}"
    assert "Created" in client.get(detail_url).get_data(as_text=True)
    moved = submit_form(
        client,
        f"{detail_url}/move",
        {"day": (local_day + timedelta(days=2)).isoformat(), "time": "19:30"},
        form_url=detail_url,
        follow_redirects=True,
    )
    assert "The session has moved" in moved.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.starts_at.astimezone(__import__("zoneinfo").ZoneInfo(PRACTICE_TZ)).strftime("%H:%M") == "19:30"
    cancelled = submit_form(
        client,
        f"/bookings/{booking.id}/cancel",
        {"reason": "Practitioner unwell"},
        form_url=detail_url,
        follow_redirects=True,
    )
    assert "The session is cancelled" in cancelled.get_data(as_text=True)
    history = client.get(detail_url).get_data(as_text=True)
    assert "Rescheduled" in history and "Cancelled" in history and "Practitioner unwell" in history


def test_the_practitioner_marks_a_past_session_completed(client, practice, client_user):
    booking = _booked(practice, client_user)
    booking.starts_at, booking.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    booking.blocked_from, booking.blocked_until = booking.starts_at, booking.ends_at
    db.session.commit()
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/bookings/{booking.id}"
    assert "Mark completed" in client.get(url).get_data(as_text=True)
    submit_form(client, f"{url}/outcome", {"outcome": "completed"}, form_url=url)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.COMPLETED


def test_a_client_cannot_open_the_agenda(client, practice, client_user):
    log_in(client, client_user.email)
    assert client.get("/practitioner/agenda").status_code == 404


def test_the_calendar_feed_works_until_revoked(client, practice, client_user):
    booking = _booked(practice, client_user)
    log_in(client, practice.practitioner.email)
    submit_form(client, "/practitioner/settings/calendar-feed", {}, form_url="/practitioner/settings/")
    db.session.refresh(practice.rules)
    token = practice.rules.calendar_feed_token
    assert token and token in client.get("/practitioner/settings/").get_data(as_text=True)
    client.post(
        "/account/logout", data={"csrf_token": csrf_token_from(client.get("/practitioner/").get_data(as_text=True))}
    )
    feed = client.get(f"/calendar/{token}.ics")  # calendar apps don't log in
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert f"booking-{booking.uid}@portal.test" in feed.get_data(as_text=True)
    assert client_user.name in feed.get_data(as_text=True)
    log_in(client, practice.practitioner.email)
    submit_form(client, "/practitioner/settings/calendar-feed/revoke", {}, form_url="/practitioner/settings/")
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get("/calendar/guess.ics").status_code == 404


def test_a_move_the_practice_cannot_make_keeps_what_was_typed_beside_the_field(client, practice, make_user):
    """The practitioner's session page: an error is shown beside the field, with her input kept (422)."""
    person = make_user()
    booked = lifecycle.book(person, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=False)
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/bookings/{booked.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url + "/move", data={"day": "2026-02-30", "time": "10:00", "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="field__error"' in page and 'value="10:00"' in page
    response = client.post(
        url + "/payments", data={"manual-amount": "abc", "manual-method": "cash", "csrf_token": token}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="abc"' in page and 'aria-invalid="true"' in page
