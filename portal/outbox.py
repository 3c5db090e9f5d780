"""The transactional outbox: an e-mail is a row written in the transaction of the change that causes it, and
a worker (`flask jobs worker`, or `flask jobs run` from cron) sends it afterwards. No request talks to the mail
server, a rolled-back change sends nothing, and a failed message is tried again later.

Sending one message:
1. claim it in a short transaction of its own: the oldest message that is queued and due, or whose last
   claim (a worker killed while sending) has run out. On PostgreSQL the row is locked with
   `FOR UPDATE SKIP LOCKED`, so any number of workers on any number of hosts each take a different one; the
   conditional UPDATE makes the claim safe on SQLite too (one worker). The claim (status "sending",
   claimed_until = now + OUTBOX_LEASE_SECONDS) is committed before the mail server is spoken to.
2. send it, outside any transaction;
3. mark it sent (its body blanked) or, on failure, record the error's class and schedule the next try after
   a doubling delay; after OUTBOX_MAX_ATTEMPTS tries it is dead and shows on the practitioners' dashboard.

A worker killed between 2 and 3 leaves the message "sending"; once the claim runs out another worker sends it
again with the same Message-ID, so the reader's mail program sees at most one duplicate of the same message.
The log has one line per message: the template and the Message-ID, never the recipient or the contents.
"""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, or_, true, update

from portal.access import visible_clients
from portal.db_types import utcnow
from portal.extensions import db
from portal import mail  # mail.send_mail queues here, and the worker delivers through mail.deliver
from portal.models import OutboxMessage, OutboxStatus, Role, User

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)
# A message not sent this long after it was written, after at least one failed try, shows on the dashboard.
UNDELIVERED_AFTER = timedelta(minutes=10)
# Messages whose mere existence says something clinical: not shown to the assistant.
CLINICAL_TEMPLATES = frozenset({"questionnaire_alert", "questionnaire_invitation", "handout_ready", "new_message"})


class NotRetriable(LookupError):
    """No undelivered message with that id that this person may see."""


def queue(message: EmailMessage, template: str, recipient_id: int | None = None) -> OutboxMessage:
    """Add the message to the session; the caller's commit sends it (later), its rollback forgets it."""
    row = OutboxMessage(
        status=OutboxStatus.QUEUED.value,
        message_id=message["Message-ID"],
        template=template[:60],
        recipient_id=recipient_id,
        raw=message.as_bytes(),
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.session.add(row)
    return row


@dataclass(frozen=True)
class _Claimed:
    id: int
    template: str
    message_id: str
    attempts: int
    raw: bytes | None


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """The wait after the n-th failed try: base, 2 x base, 4 x base ..., at most MAX_RETRY_DELAY."""
    return min(timedelta(seconds=base_seconds * 2 ** min(attempts - 1, 30)), MAX_RETRY_DELAY)


def _due(now: datetime):
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until <= now),
    )


def _claim_next(now: datetime) -> _Claimed | None:
    """Claim one due message and commit the claim; None when nothing is due (or all due ones are taken)."""
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    try:
        candidate = db.session.execute(
            db.select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if candidate is None:
            db.session.rollback()
            return None
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate, _due(now))  # still due: nobody took it in between
            .values(
                status=OutboxStatus.SENDING.value,
                claimed_until=now + lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.template,
                OutboxMessage.message_id,
                OutboxMessage.attempts,
                OutboxMessage.raw,
            )
            .execution_options(synchronize_session=False)
        ).one_or_none()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return None if claimed is None else _Claimed(*claimed)


def _finish(message_id: int, **values: object) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _send_claimed(claimed: _Claimed, now: datetime) -> bool:
    """Send one claimed message and record the outcome; True if it went."""
    config = current_app.config
    try:
        if claimed.raw is None:
            raise ValueError("the message has no body")  # cannot happen unless sent already
        mail.deliver(email.message_from_bytes(claimed.raw, policy=email.policy.default))
    except Exception as error:  # noqa: BLE001 - any failure is recorded and tried again later
        error_class = type(error).__name__[:100]
        if claimed.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
            _finish(claimed.id, status=OutboxStatus.DEAD.value, claimed_until=None, last_error=error_class)
            log.warning(
                "mail dead after %d tries: template=%s id=%s error=%s",
                claimed.attempts,
                claimed.template,
                claimed.message_id,
                error_class,
            )
        else:
            delay = retry_delay(claimed.attempts, config["OUTBOX_RETRY_SECONDS"])
            _finish(
                claimed.id,
                status=OutboxStatus.QUEUED.value,
                claimed_until=None,
                next_attempt_at=now + delay,
                last_error=error_class,
            )
            log.warning(
                "mail failed, try %d: template=%s id=%s error=%s retry_in=%ds",
                claimed.attempts,
                claimed.template,
                claimed.message_id,
                error_class,
                delay.total_seconds(),
            )
        return False
    _finish(claimed.id, status=OutboxStatus.SENT.value, sent_at=utcnow(), claimed_until=None, raw=None, last_error="")
    log.info("mail sent: template=%s id=%s try=%d", claimed.template, claimed.message_id, claimed.attempts)
    return True


def deliver_next(now: datetime | None = None) -> bool | None:
    """Claim and send one due message: True if sent, False if it failed (and was rescheduled or marked
    dead), None if nothing is due."""
    now = now or utcnow()
    claimed = _claim_next(now)
    if claimed is None:
        return None
    return _send_claimed(claimed, now)


def deliver_due(now: datetime | None = None, limit: int = 50) -> int:
    """Send up to `limit` due messages, one claim at a time; how many were sent."""
    sent = 0
    for _ in range(limit):
        outcome = deliver_next(now)
        if outcome is None:
            break
        sent += outcome
    return sent


# The dashboard ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undelivered:
    id: int
    template: str
    recipient_name: str  # "" when the message has no account behind it (an invitation)
    created_at: datetime
    attempts: int
    last_error: str
    dead: bool

    @property
    def kind(self) -> str:
        """What the e-mail was, in the practice's words ("Booking confirmation")."""
        return KIND_LABELS.get(self.template, self.template.replace("_", " ").capitalize())

    @property
    def reason(self) -> str:
        """Why it failed, in plain words (the error class stays in `last_error`, for whoever runs the server)."""
        return ERROR_WORDS.get(self.last_error, "the mail server did not accept it")


KIND_LABELS = {
    "booking_confirmed": "Booking confirmation",
    "booking_rescheduled": "New time of a session",
    "booking_cancelled": "Cancellation",
    "booking_reminder": "Session reminder",
    "handout_ready": "Handout ready",
    "new_message": "New message notice",
    "payment_refunded": "Refund notice",
    "questionnaire_invitation": "Questionnaire invitation",
    "questionnaire_alert": "Alert about a client's answers",
    "confirm_email": "Sign-up confirmation",
    "account_exists": "Sign-up (account exists)",
    "password_reset": "Password reset",
    "team_invitation": "Team invitation",
    "client_invitation": "New client's account invitation",
}
ERROR_WORDS = {
    "ConnectionRefusedError": "the mail server could not be reached",
    "TimeoutError": "the mail server did not answer in time",
    "SMTPServerDisconnected": "the mail server hung up",
    "SMTPAuthenticationError": "the mail server refused the portal's login",
    "SMTPRecipientsRefused": "the mail server refused the address",
    "SMTPDataError": "the mail server refused the message",
    "SMTPSenderRefused": "the mail server refused the sender address",
    "gaierror": "the mail server's name could not be found",
}


def _undelivered_condition(now: datetime):
    failing = and_(
        OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING]),
        OutboxMessage.attempts >= 1,
        OutboxMessage.created_at <= now - UNDELIVERED_AFTER,
    )
    return or_(OutboxMessage.status == OutboxStatus.DEAD, failing)


def _scope(viewer: User):
    """SQL: the messages this staff member may see: the owner, all; a practitioner, her own and her care
    team's clients'; the assistant, her own and the clients', but none whose kind is clinical."""
    if viewer.role == Role.OWNER:
        return true()
    condition = or_(
        OutboxMessage.recipient_id == viewer.id,
        and_(User.role == Role.CLIENT, visible_clients(OutboxMessage.recipient_id, viewer)),
    )
    if viewer.role == Role.ASSISTANT:
        condition = and_(condition, OutboxMessage.template.not_in(CLINICAL_TEMPLATES))
    return condition


def undelivered(viewer: User, now: datetime | None = None, limit: int = 20) -> list[Undelivered]:
    """Messages that are dead or have been failing for a while, that `viewer` may see, newest first. Never
    their subject or contents."""
    if not viewer.is_staff:
        return []
    now = now or utcnow()
    rows = db.session.execute(
        db.select(
            OutboxMessage.id,
            OutboxMessage.template,
            User.name,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.status,
        )
        .outerjoin(User, User.id == OutboxMessage.recipient_id)
        .where(_undelivered_condition(now), _scope(viewer))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        Undelivered(row[0], row[1], row[2] or "", row[3], row[4], row[5], row[6] == OutboxStatus.DEAD) for row in rows
    ]


def retry(message_id: int, actor: User, now: datetime | None = None) -> OutboxMessage:
    """Make an undelivered message due now (a dead one gets one more try); the caller commits. Raises
    NotRetriable for a message that is not undelivered or not the actor's to see."""
    now = now or utcnow()
    if not actor.is_staff:
        raise NotRetriable(message_id)
    row = db.session.execute(
        db.select(OutboxMessage)
        .outerjoin(User, User.id == OutboxMessage.recipient_id)
        .where(
            OutboxMessage.id == message_id,
            _undelivered_condition(now),
            OutboxMessage.status != OutboxStatus.SENDING,  # a worker has it right now
            _scope(actor),
        )
        .with_for_update(of=OutboxMessage)
    ).scalar_one_or_none()
    if row is None or row.raw is None:
        raise NotRetriable(message_id)
    row.status = OutboxStatus.QUEUED.value
    row.next_attempt_at = now
    row.claimed_until = None
    log.info("mail retry asked for: template=%s id=%s", row.template, row.message_id)
    return row
