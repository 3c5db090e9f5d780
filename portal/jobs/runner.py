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
from portal.models import Assignment, Booking, BookingRules, BookingStatus, SentMessage, SentNotification, User
from portal.money import format_money
from portal.packages import purchases, reminders
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
    per due date. Those falling due together (the intake set, or several sent at once from her case file) make
    one e-mail listing them all. The subject says nothing about which questionnaires they are. Returns the
    number of questionnaires told about."""
    today_for = lambda tz: now.astimezone(ZoneInfo(tz)).date()  # noqa: E731
    groups: dict[tuple[int, str], tuple[User, list[Assignment]]] = {}
    for assignment, client, kind in responses.waiting_assignments(today_for):
        groups.setdefault((client.id, kind), (client, []))[1].append(assignment)
    if not groups:
        return 0
    keys = {_claim_key(a) for _, assignments in groups.values() for a in assignments}
    already = set(
        db.session.execute(db.select(SentMessage.kind, SentMessage.key).where(SentMessage.key.in_(keys))).tuples()
    )
    sent = 0
    for (_, kind), (client, assignments) in groups.items():
        waiting = [a for a in assignments if (f"questionnaire_{kind}", _claim_key(a)) not in already]
        if waiting:
            sent += _tell_about_questionnaires(client, kind, waiting)
    return sent


def _plain_title(code: str) -> str:
    """A questionnaire named for people, with the instrument's own name after it: "Mood check (PHQ-9)"."""
    try:
        instrument = responses.instrument_for(code, None)
    except responses.ResponseError:  # her own questionnaire, withdrawn since
        return "A questionnaire"
    return f"{instrument.person_title} ({instrument.title})" if instrument.person_title else instrument.title


def _claim_key(assignment: Assignment) -> str:
    """What makes a questionnaire's invitation (or reminder) go once per due date."""
    return f"{assignment.id}:{assignment.next_due.isoformat()}"


def _tell_about_questionnaires(client: User, kind: str, assignments: list[Assignment]) -> int:
    """One e-mail about these questionnaires, claimed together: if another run claimed any of them first,
    nothing is queued here (that run tells her)."""
    assignments = sorted(assignments, key=lambda a: a.id)
    for assignment in assignments:
        db.session.add(SentMessage(kind=f"questionnaire_{kind}", key=_claim_key(assignment)))
    several = len(assignments) > 1
    if kind == "invitation":
        subject = "Questionnaires from your practitioner" if several else "A questionnaire from your practitioner"
    else:
        subject = (
            "Reminder: questionnaires are waiting for you"
            if several
            else "Reminder: a questionnaire is waiting for you"
        )
    try:
        db.session.flush()
        send_mail(
            client.email,
            subject,
            "questionnaire_invitation",
            recipient=client,
            reminder=kind == "reminder",
            questionnaires=[
                (  # named for people ("Mood check"), and never in the subject
                    _plain_title(a.code),
                    absolute_url("questionnaires.start", assignment_id=a.id),
                )
                for a in assignments
            ],
            link=absolute_url("home.client_home"),
        )
        db.session.commit()
    except IntegrityError:  # claimed by a run that got there first
        db.session.rollback()
        return 0
    return len(assignments)


def send_instalment_messages(now: datetime) -> int:
    """A note before each later instalment of a plan falls due, and one reminder once it is overdue."""
    sent = 0
    for due in reminders.instalments_to_mention(now):
        instalment = due.instalment
        subject = (
            "A payment for your package is due soon" if due.kind == "due" else "A payment for your package is overdue"
        )

        def queue(due=due, subject=subject) -> None:
            send_mail(
                due.client.email,
                subject,
                "instalment_due",
                recipient=due.client,
                overdue=due.kind == "overdue",
                package_name=due.package_name,
                number=due.instalment.number,
                parts=due.parts,
                amount=format_money(due.instalment.amount_minor, due.currency),
                due_on=due.instalment.due_on,
                link=absolute_url("packages.mine"),
                pay_link=absolute_url("packages.pay_instalment", instalment_id=due.instalment.id)
                if gateway.enabled()
                else "",
            )

        sent += once(SentMessage(kind=f"instalment_{due.kind}", key=str(instalment.id)), queue)
    return sent


def run_jobs(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    done = {}
    if gateway.enabled():  # before expiring holds, so a payment that did arrive keeps its booking
        done["card payments reconciled"] = card.reconcile_card_payments(now)
    done["expired holds"] = lifecycle.expire_holds(now)
    done["unpaid package purchases cancelled"] = purchases.cancel_unpaid(now)
    if gateway.enabled():
        done["card payments cancelled"] = card.cancel_abandoned_intents()
    done["reminders sent"] = send_due_reminders(now)
    done["questionnaire messages sent"] = send_questionnaire_messages(now)
    done["package payment messages sent"] = send_instalment_messages(now)
    done["attention rows brought up to date"] = attention.refresh_stale(now)
    done["old login sessions removed"] = sessions.forget_old_sessions(
        sessions.SessionRules.from_config(current_app.config), now
    )
    return done
