"""Booking e-mails through a real SMTP server: invitations with .ics files, notices, and reminders that go
out exactly once however many copies of `flask jobs run` run at the same time."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import quote

import icalendar
import pytest

from portal import create_app, outbox
from portal.booking import bookings, lifecycle
from portal.booking.pages import iso
from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs.runner import run_jobs
from portal.models import OutboxMessage, SentNotification
from tests.conftest import base_environ, log_in, submit_form


@pytest.fixture
def app(app_factory, smtp_server):
    """Every app in this module sends its mail to the loopback SMTP server."""
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    with app.app_context():
        yield app


def invitation(message) -> icalendar.Event:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "exactly one calendar attachment"
    calendar = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
    assert parts[0].get_param("method") == calendar["METHOD"]
    return calendar, calendar.walk("VEVENT")[0]


def test_booking_moving_and_cancelling_send_invitations_to_both(client, practice, client_user, smtp_server):
    log_in(client, client_user.email)
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=2)][0]
    submit_form(
        client,
        f"/book/{practice.follow_up.id}/confirm",
        {"start": iso(start)},
        form_url=f"/book/{practice.follow_up.id}/confirm?start={quote(iso(start))}",
    )
    (booking,), _ = bookings.client_bookings(client_user.id, utcnow())
    to_client, to_her = smtp_server.messages
    assert to_client["To"] == client_user.email and to_her["To"] == practice.practitioner.email
    assert to_client["Subject"].startswith("Your session is booked") and to_her["Subject"].startswith("New booking")
    body = to_client.get_body(("plain",)).get_content()
    assert "Follow-up" in body and "Europe/London" in body
    calendar, event = invitation(to_client)
    uid = str(event["UID"])
    assert calendar["METHOD"] == "REQUEST" and event.decoded("DTSTART") == start and int(event["SEQUENCE"]) == 0

    smtp_server.messages.clear()
    new_start = [s for s in practice.free(practice.follow_up) if s > start + timedelta(days=1)][0]
    url = f"/me/bookings/{booking.id}/reschedule/confirm"
    moved = submit_form(client, url, {"start": iso(new_start)}, form_url=f"{url}?start={quote(iso(new_start))}")
    assert moved.status_code == 302, moved.get_data(as_text=True)
    calendar, event = invitation(smtp_server.messages[0])
    assert (str(event["UID"]), int(event["SEQUENCE"]), event.decoded("DTSTART")) == (uid, 1, new_start)
    assert "moved" in smtp_server.messages[0]["Subject"] and len(smtp_server.messages) == 2

    smtp_server.messages.clear()
    submit_form(client, f"/bookings/{booking.id}/cancel", {}, form_url=f"/me/bookings/{booking.id}")
    calendar, event = invitation(smtp_server.messages[0])
    assert calendar["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 2)
    assert {m["To"] for m in smtp_server.messages} == {client_user.email, practice.practitioner.email}


def test_a_mail_server_that_is_down_does_not_undo_the_booking(app_factory, practice, client_user):
    down = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT="1", MAIL_SECURITY="none")
    client = down.test_client()
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    response = submit_form(
        client,
        f"/book/{practice.follow_up.id}/confirm",
        {"start": iso(start)},
        form_url=f"/book/{practice.follow_up.id}/confirm?start={quote(iso(start))}",
    )
    assert response.status_code == 302
    assert [b.status for b in bookings.client_bookings(client_user.id, utcnow())[0]] == ["confirmed"]


def _session_tomorrow(practice, client_user):
    """A confirmed session booked two days ago for a little over 23 hours from now: its reminder is due."""
    now = utcnow()
    start = [s for s in practice.free(practice.follow_up, now) if s > now + timedelta(hours=23)][0]
    booking = lifecycle.book(client_user, practice.follow_up, start, needs_payment=False)
    booking.created_at = now - timedelta(days=2)
    db.session.commit()
    return booking, start - timedelta(hours=24) + timedelta(minutes=1)


def test_a_reminder_goes_once_at_the_configured_time(practice, client_user, smtp_server):
    booking, due = _session_tomorrow(practice, client_user)
    smtp_server.messages.clear()
    assert run_jobs(due - timedelta(minutes=2))["reminders sent"] == 0
    assert run_jobs(due)["reminders sent"] == 1
    assert run_jobs(due + timedelta(minutes=1))["reminders sent"] == 0
    (reminder,) = smtp_server.messages
    assert reminder["To"] == client_user.email and reminder["Subject"].startswith("Reminder: your session")
    assert "Follow-up" in reminder.get_body(("plain",)).get_content()


def test_no_reminder_for_a_session_booked_inside_the_reminder_window(practice, client_user, smtp_server):
    booking, due = _session_tomorrow(practice, client_user)
    booking.created_at = due
    db.session.commit()
    smtp_server.messages.clear()
    assert run_jobs(due)["reminders sent"] == 0 and smtp_server.messages == []


def test_a_reminder_that_fails_to_send_is_queued_once_and_retried_by_the_outbox(
    app_factory, practice, client_user, smtp_server
):
    booking, due = _session_tomorrow(practice, client_user)
    smtp_server.messages.clear()
    down = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT="1", MAIL_SECURITY="none")
    with down.app_context():
        assert run_jobs(due)["reminders sent"] == 1  # queued in the outbox with its claim
        assert outbox.deliver_due() == 0  # the server is down: it stays queued, for a later try
        assert run_jobs(due + timedelta(minutes=1))["reminders sent"] == 0  # never queued twice
    assert db.session.scalar(db.select(db.func.count()).select_from(SentNotification)) == 1
    row = db.session.execute(db.select(OutboxMessage).filter_by(template="booking_reminder")).scalar_one()
    assert row.status == "queued" and row.last_error == "ConnectionRefusedError"
    assert outbox.deliver_due(row.next_attempt_at) >= 1  # the next try, with the server back
    (reminder,) = [m for m in smtp_server.messages if m["Subject"].startswith("Reminder")]
    assert reminder["Subject"].startswith("Reminder: your session")


def test_two_copies_running_at_once_send_each_reminder_exactly_once(
    practice, client_user, make_user, smtp_server, migrated_database, tmp_path
):
    others = [make_user() for _ in range(4)]
    sessions = [_session_tomorrow(practice, person) for person in [client_user, *others]]
    due = max(d for _, d in sessions)
    smtp_server.messages.clear()
    environ = {
        **base_environ(migrated_database, tmp_path / "other-host"),
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_SECURITY": "none",
    }
    hosts = [create_app(environ) for _ in range(2)]  # two hosts: separate apps, engines and connections
    start = threading.Barrier(len(hosts))
    results, errors = [], []

    def run(host):
        try:
            with host.app_context():
                start.wait()
                results.append(run_jobs(due)["reminders sent"])
                db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sum(results) == len(sessions)
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == sorted(u.email for u in [client_user, *others])
