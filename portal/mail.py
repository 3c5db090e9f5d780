"""Outgoing e-mail: built here, queued in the outbox (portal/outbox.py) and delivered by its worker, through
SMTP when configured, otherwise as a file per message in instance/outbox/.

Messages are rendered from templates/email/<name>.txt and .html, each with its Message-ID fixed when it is
built, so a resend is recognisably the same message. The outbox logs one line per message, naming the
template and the Message-ID, never the recipient's data or the body.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template

from portal import outbox
from portal.inputs import single_line_problem
from portal.practice.details import practice

if TYPE_CHECKING:
    from portal.models import User


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # e.g. "text/calendar"
    params: dict[str, str] = field(default_factory=dict)  # e.g. {"method": "REQUEST"}


def build_message(
    to: str, subject: str, template: str, attachments: Sequence[Attachment] = (), **context: Any
) -> EmailMessage:
    """A multipart message (plain text first, then HTML) rendered from the named templates."""
    config = current_app.config
    details = practice()
    context.setdefault("practice_name", config["PRACTICE_NAME"])
    context.setdefault("practice", details)
    context.setdefault("base_url", config["BASE_URL"])
    # From the practice by name; the address stays the configured sender, replies go to the practice's e-mail.
    headers = {"From": formataddr((config["PRACTICE_NAME"], parseaddr(config["MAIL_FROM"])[1])), "To": to}
    if details.email:
        headers["Reply-To"] = details.email
    headers["Subject"] = subject
    for name, value in headers.items():
        if single_line_problem(value):  # a line break would start a header of its own
            raise ValueError(f"The {name} header of an e-mail must be one line without control characters.")
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="portal.local")
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    for attachment in attachments:
        maintype, subtype = attachment.mimetype.split("/", 1)
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    return message


def deliver(message: EmailMessage) -> None:
    """Send now, through SMTP, or write to OUTBOX_DIR when no server is configured. Only the outbox's
    worker calls this (portal/outbox.py); everything else calls send_mail."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        _send_smtp(message, config)
    else:
        _write_outbox(message, Path(config["OUTBOX_DIR"]))


def send_mail(
    to: str,
    subject: str,
    template: str,
    attachments: Sequence[Attachment] = (),
    *,
    recipient: User | None = None,
    **context: Any,
) -> EmailMessage:
    """Build the message and queue it in the outbox, in the caller's transaction: it goes when the caller
    commits (and never if she rolls back). `recipient`, the account it is for, is passed to the templates
    too and lets the dashboard say whom an undelivered message was for."""
    if recipient is not None:
        context["recipient"] = recipient
    message = build_message(to, subject, template, attachments, **context)
    outbox.queue(message, template, recipient.id if recipient is not None else None)
    return message


def _send_smtp(message: EmailMessage, config: dict[str, Any]) -> None:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_SECURITY"] == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["MAIL_SECURITY"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stem = message["Message-ID"].strip("<>").split("@", 1)[0]
    path = outbox / f"{stem}.eml"
    path.write_bytes(message.as_bytes())
    return path
