"""What `flask jobs run` does. Safe to run as several copies at once: each message is claimed
in the database (a unique row) before it is sent, so only one copy sends it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.accounts import sessions
from portal.booking.bookings import expire_holds
from portal.booking.notify import notify_booking
from portal.db_types import utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import Booking, BookingRules, BookingStatus, SentMessage, SentNotification
from portal.payments import gateway, payments
from portal.questionnaires import responses

log = logging.getLogger(__name__)


def claim(booking_id: int, kind: str, key: str) -> bool:
    """Record that this message is being sent; False if another run already has."""
    db.session.add(SentNotification(booking_id=booking_id, kind=kind, key=key))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def release(booking_id: int, kind: str, key: str) -> None:
    """Forget a claim whose message could not be sent, so the next run tries again."""
    db.session.execute(db.delete(SentNotification).filter_by(booking_id=booking_id, kind=kind, key=key))
    db.session.commit()


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
        key = starts_at.isoformat()
        if not claim(booking_id, "reminder", key):
            continue
        if notify_booking(booking_id, "reminder"):
            sent += 1
        else:
            release(booking_id, "reminder", key)
    return sent


def claim_message(kind: str, key: str) -> bool:
    """Like claim(), for messages that are not about a booking."""
    db.session.add(SentMessage(kind=kind, key=key))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def release_message(kind: str, key: str) -> None:
    db.session.execute(db.delete(SentMessage).filter_by(kind=kind, key=key))
    db.session.commit()


def send_questionnaire_messages(now: datetime) -> int:
    """The invitation when a questionnaire falls due, and one reminder a few days later; each exactly once
    per due date. The subject says nothing about which questionnaire it is."""
    sent = 0
    today_for = lambda tz: now.astimezone(ZoneInfo(tz)).date()  # noqa: E731
    for assignment, client, kind in responses.waiting_assignments(today_for):
        key = f"{assignment.id}:{assignment.next_due.isoformat()}"
        if not claim_message(f"questionnaire_{kind}", key):
            continue
        subject = (
            "A questionnaire from your practitioner"
            if kind == "invitation"
            else "Reminder: a questionnaire is waiting for you"
        )
        try:
            send_mail(
                client.email,
                subject,
                "questionnaire_invitation",
                recipient=client,
                reminder=kind == "reminder",
                link=absolute_url("questionnaires.start", assignment_id=assignment.id),
            )
            db.session.commit()
        except Exception:  # noqa: BLE001 - tried again on the next run
            db.session.rollback()
            log.exception("questionnaire %s failed: assignment=%s", kind, assignment.id)
            release_message(f"questionnaire_{kind}", key)
            continue
        sent += 1
    return sent


def run_jobs(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    done = {}
    if gateway.enabled():  # before expiring holds, so a payment that did arrive keeps its booking
        done["card payments reconciled"] = payments.reconcile_card_payments(now)
    done["expired holds"] = expire_holds(now)
    if gateway.enabled():
        done["card payments cancelled"] = payments.cancel_abandoned_intents()
    done["reminders sent"] = send_due_reminders(now)
    done["questionnaire messages sent"] = send_questionnaire_messages(now)
    done["old login sessions removed"] = sessions.forget_old_sessions(
        sessions.SessionRules.from_config(current_app.config), now
    )
    return done
