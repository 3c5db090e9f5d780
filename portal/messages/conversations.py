"""Conversations between a client and her care team: sending, reading, marking done, and what each page shows.

Two sides write: the client, and the practice (her care team and the owner, as one side). Each state change is
one function here that writes its rows, its audit rows and the e-mails it causes in one transaction, and
commits. Audit actions: a message sent is "create", a thread opened with something new is "view", a file
downloaded is "download"; never the text.

E-mails: the other side gets "You have a new message from <practice>", with a link and no content. A burst
sends one: once a side has been e-mailed, it is not e-mailed again until it has opened the thread (the flag is
set with a conditional UPDATE, so two messages sent at the same moment still send one e-mail). The practice side
is e-mailed at the addresses of the practitioners on her care team (the owner's when she has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit
from portal.access import visible_clients
from portal.db_types import affected_rows, utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.messages.attachments import CleanFile
from portal.models import (
    CareTeam,
    Conversation,
    ConversationStatus,
    Message,
    MessageAttachment,
    MessageSettings,
    Role,
    SavedReply,
    User,
)

MAX_BODY = 5000
PAGE_SIZE = 30
INBOX_PAGE = 50
MAX_NOTICE = 1000
MAX_REPLY_TITLE = 80
MAX_REPLY_BODY = 2000
MAX_SAVED_REPLIES = 50
DEFAULT_EMERGENCY_NOTICE = (
    "Messages are read within 2 working days. They are not for emergencies: in an emergency call 999 or go to A&E."
)
EMAIL_TEMPLATE = "new_message"


class MessageError(ValueError):
    """A message that can't be sent; str() says why."""


# Sending ---------------------------------------------------------------------------------------------------------


def conversation_of(client_id: int) -> Conversation | None:
    return db.session.execute(db.select(Conversation).filter_by(client_id=client_id)).scalar_one_or_none()


def _conversation_for_sending(client_id: int) -> Conversation:
    found = conversation_of(client_id)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():  # the first message of both sides at once: one of them creates it
            created = Conversation(client_id=client_id, status=ConversationStatus.OPEN.value)
            db.session.add(created)
    except IntegrityError:
        found = conversation_of(client_id)
        assert found is not None
        return found
    return created


def body_problem(body: str, files: list[CleanFile]) -> str | None:
    if len(body) > MAX_BODY:
        return f"Messages can be at most {MAX_BODY:,} characters; this one has {len(body):,}."
    if not body.strip() and not files:
        return "Write a message or attach a file."
    return None


def send_message(client: User, sender: User, body: str, files: list[CleanFile], now: datetime | None = None) -> Message:
    """Add a message (and its files) to the client's conversation from `sender` (the client herself, or someone
    of the practice); e-mail the other side if it has not been e-mailed since it last read; commit."""
    now = now or utcnow()
    body = body.strip()
    problem = body_problem(body, files)
    if problem:
        raise MessageError(problem)
    from_client = sender.id == client.id
    conversation = _conversation_for_sending(client.id)
    message = Message(
        conversation_id=conversation.id,
        client_id=client.id,
        sender_id=sender.id,
        from_client=from_client,
        body=body,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    for file in files:
        db.session.add(
            MessageAttachment(
                message_id=message.id,
                client_id=client.id,
                filename=file.filename,
                content_type=file.content_type,
                size=len(file.content),
                checksum=file.checksum,
                content=file.content,
                created_at=now,
            )
        )
    _record_sent(conversation, message, from_client, now)
    audit.record("create", client.id, "message", message.id)
    if _claim_notification(conversation, to_client=not from_client):
        _notify(client, to_client=not from_client)
    db.session.commit()
    return message


def _newest(column, message_id: int):
    return case((column < message_id, message_id), else_=column)


def _record_sent(conversation: Conversation, message: Message, from_client: bool, now: datetime) -> None:
    """The conversation's newest ids and time, the sender's side read up to her own message; a client's message
    opens a conversation that was done. In SQL, so two messages at once both count."""
    values: dict = {"last_message_at": now}
    if from_client:
        values |= {
            "last_client_message_id": _newest(Conversation.last_client_message_id, message.id),
            "client_read_up_to": _newest(Conversation.client_read_up_to, message.id),
            "client_notified": False,
            "status": ConversationStatus.OPEN.value,
            "done_at": None,
        }
    else:
        values |= {
            "last_team_message_id": _newest(Conversation.last_team_message_id, message.id),
            "team_read_up_to": _newest(Conversation.team_read_up_to, message.id),
            "team_notified": False,
        }
    db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(conversation)


def _claim_notification(conversation: Conversation, *, to_client: bool) -> bool:
    """Mark the recipient side as e-mailed; True if it was not already (so this message sends the e-mail)."""
    flag = Conversation.client_notified if to_client else Conversation.team_notified
    result = db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, flag.is_(False))
        .values({flag.key: True})
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


def team_recipients(client_id: int) -> list[User]:
    """Who is e-mailed for the practice side: the active practitioners on her care team, else the owner."""
    active = (User.deactivated_at.is_(None), User.role.in_([Role.OWNER, Role.PRACTITIONER]))
    team = list(
        db.session.execute(
            db.select(User)
            .join(CareTeam, CareTeam.practitioner_id == User.id)
            .filter(CareTeam.client_id == client_id, *active)
        ).scalars()
    )
    return team or list(db.session.execute(db.select(User).filter(User.role == Role.OWNER, *active)).scalars())


def _notify(client: User, *, to_client: bool) -> None:
    if to_client:
        recipients, link = [client], absolute_url("messages.my_thread")
    else:
        recipients, link = team_recipients(client.id), absolute_url("messages.client_thread", client_id=client.id)
    for recipient in recipients:
        send_mail(
            recipient.email,
            f"You have a new message from {current_app.config['PRACTICE_NAME']}",
            EMAIL_TEMPLATE,
            recipient=recipient,
            link=link,
        )


# Reading ---------------------------------------------------------------------------------------------------------


def mark_read(conversation: Conversation, reader: User, *, page_view: bool = False) -> bool:
    """The reader's side has seen the thread: read up to the other side's newest message, e-mailable again.
    True if that was news. Audited as a "view": every page view (like the case file), and a poll only when it
    brought something new, so a page left open does not fill the trail. The caller commits."""
    by_client = reader.id == conversation.client_id
    newest = conversation.last_team_message_id if by_client else conversation.last_client_message_id
    read_column = Conversation.client_read_up_to if by_client else Conversation.team_read_up_to
    notified = Conversation.client_notified if by_client else Conversation.team_notified
    result = db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, read_column < newest)
        .values({read_column.key: newest, notified.key: False})
        .execution_options(synchronize_session=False)
    )
    news = affected_rows(result) == 1
    if news:
        setattr(conversation, read_column.key, newest)  # the page shows the state just written
        setattr(conversation, notified.key, False)
    if news or page_view:
        audit.record("view", conversation.client_id, "messages", conversation.id)
    return news


@dataclass(frozen=True)
class ThreadPage:
    conversation: Conversation | None
    messages: list[Message]  # newest first
    older_before: int | None  # the `before` of the next, older page; None when there is none

    @property
    def newest_id(self) -> int:
        return self.messages[0].id if self.messages else 0


def _messages_query(conversation_id: int):
    return (
        db.select(Message)
        .filter(Message.conversation_id == conversation_id)
        .options(joinedload(Message.sender), selectinload(Message.attachments))
        .order_by(Message.id.desc())
    )


def thread_page(client_id: int, before: int | None = None) -> ThreadPage:
    """A page of the client's conversation, newest first, PAGE_SIZE messages older than `before` (if given)."""
    conversation = conversation_of(client_id)
    if conversation is None:
        return ThreadPage(None, [], None)
    query = _messages_query(conversation.id).limit(PAGE_SIZE + 1)
    if before is not None:
        query = query.filter(Message.id < before)
    messages = list(db.session.execute(query).unique().scalars())
    older = messages[PAGE_SIZE - 1].id if len(messages) > PAGE_SIZE else None
    return ThreadPage(conversation, messages[:PAGE_SIZE], older)


def messages_after(conversation: Conversation, after: int, limit: int = PAGE_SIZE) -> list[Message]:
    """Messages newer than id `after`, oldest first (what a page left open has not shown yet): at most `limit`,
    the next poll asks for the rest."""
    query = (
        db.select(Message)
        .filter(Message.conversation_id == conversation.id, Message.id > after)
        .options(joinedload(Message.sender), selectinload(Message.attachments))
        .order_by(Message.id)
        .limit(limit)
    )
    return list(db.session.execute(query).unique().scalars())


def attachment_for(attachment_id: int, viewer: User) -> MessageAttachment | None:
    """An attachment the viewer may download: her own conversation's (a client), a visible client's (her care
    team, the owner); None otherwise, the assistant's included."""
    query = db.select(MessageAttachment).filter(MessageAttachment.id == attachment_id)
    if viewer.is_client:
        query = query.filter(MessageAttachment.client_id == viewer.id)
    elif viewer.is_practitioner:
        query = query.filter(visible_clients(MessageAttachment.client_id, viewer))
    else:
        return None
    return db.session.execute(query).scalar_one_or_none()


def attachment_content(attachment: MessageAttachment) -> bytes:
    """The file's bytes, decrypted, with the download audited (the caller commits)."""
    content = db.session.execute(db.select(MessageAttachment.content).filter_by(id=attachment.id)).scalar_one()
    audit.record("download", attachment.client_id, "message_attachment", attachment.id)
    return content


# Done, the inbox and unread counts -------------------------------------------------------------------------------


def mark_done(conversation: Conversation, now: datetime | None = None) -> None:
    conversation.status, conversation.done_at = ConversationStatus.DONE.value, now or utcnow()
    audit.record("change", conversation.client_id, "messages", conversation.id)
    db.session.commit()


def reopen(conversation: Conversation) -> None:
    conversation.status, conversation.done_at = ConversationStatus.OPEN.value, None
    audit.record("change", conversation.client_id, "messages", conversation.id)
    db.session.commit()


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    client_name: str
    unread: bool
    last_from_client: bool


def inbox(viewer: User, status: ConversationStatus, page: int = 1) -> tuple[list[InboxRow], bool]:
    """Her clients' conversations in this status, unread first, then newest first; and whether there are more."""
    unread = Conversation.last_client_message_id > Conversation.team_read_up_to
    rows = db.session.execute(
        db.select(Conversation, User.name, unread)
        .join(User, User.id == Conversation.client_id)
        .filter(
            Conversation.status == status.value,
            Conversation.last_message_at.is_not(None),
            visible_clients(Conversation.client_id, viewer),
        )
        .order_by(case((unread, 0), else_=1), Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(INBOX_PAGE + 1)
        .offset((page - 1) * INBOX_PAGE)
    ).all()
    found = [
        InboxRow(c, name, bool(is_unread), c.last_client_message_id > c.last_team_message_id)
        for c, name, is_unread in rows[:INBOX_PAGE]
    ]
    return found, len(rows) > INBOX_PAGE


def unread_count(user: User) -> int:
    """For the header: a client's unread messages; a practitioner's clients' conversations with unread ones."""
    if user.is_client:
        return db.session.execute(
            db.select(db.func.count(Message.id))
            .join(Conversation, Conversation.id == Message.conversation_id)
            .filter(
                Conversation.client_id == user.id,
                Message.from_client.is_(False),
                Message.id > Conversation.client_read_up_to,
            )
        ).scalar_one()
    if user.is_practitioner:
        return db.session.execute(
            db.select(db.func.count(Conversation.id)).filter(
                Conversation.last_client_message_id > Conversation.team_read_up_to,
                visible_clients(Conversation.client_id, user),
            )
        ).scalar_one()
    return 0


# Notices, settings and saved replies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notices:
    emergency: str
    away: list[tuple[str, str]]  # (practitioner's name, her out-of-office notice)


def notices_for(client_id: int) -> Notices:
    """What every page of her conversation says: the emergency notice of the first practitioner on her care team
    who set one (the owner's when she has no care team; else the default), and any out-of-office notices."""
    rows = db.session.execute(
        db.select(User.name, MessageSettings.away_notice, MessageSettings.emergency_notice)
        .select_from(CareTeam)
        .join(User, User.id == CareTeam.practitioner_id)
        .outerjoin(MessageSettings, MessageSettings.practitioner_id == CareTeam.practitioner_id)
        .filter(CareTeam.client_id == client_id, User.deactivated_at.is_(None))
        .order_by(CareTeam.id)
    ).all()
    if not rows:
        rows = db.session.execute(
            db.select(User.name, MessageSettings.away_notice, MessageSettings.emergency_notice)
            .join(MessageSettings, MessageSettings.practitioner_id == User.id)
            .filter(User.role == Role.OWNER)
        ).all()
    emergency = next((row[2] for row in rows if row[2]), DEFAULT_EMERGENCY_NOTICE)
    return Notices(emergency, [(row[0], row[1]) for row in rows if row[1]])


def settings_for(practitioner_id: int) -> MessageSettings:
    found = db.session.get(MessageSettings, practitioner_id)
    if found is not None:
        return found
    return MessageSettings(practitioner_id=practitioner_id, away_notice="", emergency_notice=DEFAULT_EMERGENCY_NOTICE)


def save_settings(practitioner: User, *, away_notice: str, emergency_notice: str) -> MessageSettings:
    settings = settings_for(practitioner.id)
    settings.away_notice = away_notice.strip()
    settings.emergency_notice = emergency_notice.strip() or DEFAULT_EMERGENCY_NOTICE
    if settings not in db.session:
        db.session.add(settings)
    db.session.commit()
    return settings


def saved_replies(practitioner_id: int) -> list[SavedReply]:
    return list(
        db.session.execute(
            db.select(SavedReply).filter_by(practitioner_id=practitioner_id).order_by(SavedReply.title, SavedReply.id)
        ).scalars()
    )


def add_saved_reply(practitioner: User, title: str, body: str) -> SavedReply:
    count = db.session.execute(
        db.select(db.func.count(SavedReply.id)).filter_by(practitioner_id=practitioner.id)
    ).scalar_one()
    if count >= MAX_SAVED_REPLIES:
        raise MessageError(f"You can keep up to {MAX_SAVED_REPLIES} saved replies. Delete one you no longer use.")
    reply = SavedReply(practitioner_id=practitioner.id, title=title.strip(), body=body.strip())
    db.session.add(reply)
    db.session.commit()
    return reply


def delete_saved_reply(reply: SavedReply) -> None:
    db.session.delete(reply)
    db.session.commit()
