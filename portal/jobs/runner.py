"""What `flask jobs run` does. Safe to run as several copies at once: each message is queued in the same
transaction as its claim (a unique row), so only one copy queues it, and the outbox sends it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.accounts import sessions
from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import Booking, BookingRules, BookingStatus, SentMessage, SentNotification
from portal.payments import card, gateway
from portal.questionnaires import attention, responses

log = logging.getLogger(__name__)


def once(claim: SentNotification | SentMessage, queue: Callable[[], None]) -> bool:
    """Queue a message and record that it went, in one transaction; False (and nothing queued) if another run
    has sent it. The claim's unique key is what makes each message go out once, however many runs overlap."""
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    queue()
    try:
        db.session.commit()
    except IntegrityError:  # claimed by a run that committed first
        db.session.rollback()
        return False
    return True


def due_reminders(now: datetime) -> list[tuple[int, datetime]]:
    """(booking id, start) of confirmed sessions inside their practitioner's reminder window.

    Sessions booked inside that window are left out: their confirmation was the reminder.
    """
    window = db.func.coalesce(BookingRules.reminder_hours, 24)
    rows = db.session.execute(
        db.select(Booking.id, Booking.starts_at, Booking.created_at, window.label("hours"))
        .outerjoin(BookingRules, BookingRules.practitioner_id == Booking.practitioner_id)
        .filter(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.starts_at > now,
            Booking.starts_at <= now + timedelta(hours=168),
        )
    ).all()
    return [
        (row.id, row.starts_at)
        for row in rows
        if row.starts_at - timedelta(hours=row.hours) <= now
        and row.created_at < row.starts_at - timedelta(hours=row.hours)
    ]


def send_due_reminders(now: datetime | None = None) -> int:
    now = now or utcnow()
    sent = 0
    for booking_id, starts_at in due_reminders(now):
        booking = db.session.get_one(Booking, booking_id)
        claim = SentNotification(booking_id=booking_id, kind="reminder", key=starts_at.isoformat())
        sent += once(claim, partial(lifecycle.remind, booking))
    return sent


def send_questionnaire_messages(now: datetime) -> int:
    """The invitation when a questionnaire falls due, and one reminder a few days later; each exactly once
    per due date. The subject says nothing about which questionnaire it is."""
    sent = 0
    today_for = lambda tz: now.astimezone(ZoneInfo(tz)).date()  # noqa: E731
    for assignment, client, kind in responses.waiting_assignments(today_for):
        key = f"{assignment.id}:{assignment.next_due.isoformat()}"
        subject = (
            "A questionnaire from your practitioner"
            if kind == "invitation"
            else "Reminder: a questionnaire is waiting for you"
        )

        title = responses.instrument_for(assignment.code, None).plain_title  # "Mood check", never in the subject

        def queue(client=client, subject=subject, kind=kind, assignment_id=assignment.id, title=title) -> None:
            send_mail(
                client.email,
                subject,
                "questionnaire_invitation",
                recipient=client,
                reminder=kind == "reminder",
                title=title,
                link=absolute_url("questionnaires.start", assignment_id=assignment_id),
            )

        sent += once(SentMessage(kind=f"questionnaire_{kind}", key=key), queue)
    return sent


def run_jobs(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    done = {}
    if gateway.enabled():  # before expiring holds, so a payment that did arrive keeps its booking
        done["card payments reconciled"] = card.reconcile_card_payments(now)
    done["expired holds"] = lifecycle.expire_holds(now)
    if gateway.enabled():
        done["card payments cancelled"] = card.cancel_abandoned_intents()
    done["reminders sent"] = send_due_reminders(now)
    done["questionnaire messages sent"] = send_questionnaire_messages(now)
    done["attention rows brought up to date"] = attention.refresh_stale(now)
    done["old login sessions removed"] = sessions.forget_old_sessions(
        sessions.SessionRules.from_config(current_app.config), now
    )
    return done
