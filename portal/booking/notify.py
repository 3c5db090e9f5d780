"""E-mails about bookings, to the client and to the practitioner, with calendar invitations."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from flask import current_app

from portal.booking import bookings
from portal.booking.calendar import CalendarEvent, invitation_ics
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import Attachment, send_mail
from portal.models import Booking, User
from portal.timeutil import local_datetime

log = logging.getLogger(__name__)

Kind = Literal["confirmed", "rescheduled", "cancelled", "reminder"]

SUBJECTS = {
    ("client", "confirmed"): "Your session is booked: {when}",
    ("client", "rescheduled"): "Your session has moved to {when}",
    ("client", "cancelled"): "Your session on {when} is cancelled",
    ("client", "reminder"): "Reminder: your session on {when}",
    ("practitioner", "confirmed"): "New booking: {when}",
    ("practitioner", "rescheduled"): "Booking moved to {when}",
    ("practitioner", "cancelled"): "Booking cancelled: {when}",
}
PRODUCT_ID = "-//Practice portal//Bookings//EN"


def calendar_event(booking: Booking, for_practitioner: bool) -> CalendarEvent:
    practitioner, client, service = booking.practitioner, booking.client, booking.service
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "portal"
    if for_practitioner:
        summary = f"{service.name}: {client.name}"
        link = absolute_url("booking.practitioner_booking", booking_id=booking.id)
    else:
        summary = f"{service.name} with {practitioner.name}"
        link = absolute_url("booking.client_booking", booking_id=booking.id)
    return CalendarEvent(
        uid=f"booking-{booking.uid}@{host}",
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=summary,
        description=f"Manage this booking: {link}",
        organizer_name=practitioner.name,
        organizer_email=practitioner.email,
        attendee_name=client.name,
        attendee_email=client.email,
        cancelled=booking.status == "cancelled",
        url=link,
    )


def _send(booking: Booking, recipient: User, role: str, kind: Kind, old_start: datetime | None) -> None:
    when = local_datetime(booking.starts_at, recipient.timezone, "EEE d MMM, HH:mm")
    attachments = []
    if kind != "reminder":
        ics = invitation_ics(calendar_event(booking, role == "practitioner"), PRODUCT_ID)
        method = "CANCEL" if kind == "cancelled" else "REQUEST"
        attachments.append(Attachment("session.ics", ics, "text/calendar", {"method": method}))
    send_mail(
        recipient.email,
        SUBJECTS[(role, kind)].format(when=when),
        f"booking_{kind}",
        attachments,
        booking=booking,
        recipient=recipient,
        role=role,
        when=local_datetime(booking.starts_at, recipient.timezone),
        old_when=local_datetime(old_start, recipient.timezone) if old_start else None,
        timezone=recipient.timezone.replace("_", " "),
        link=calendar_event(booking, role == "practitioner").url,
    )


def notify_booking(booking_id: int, kind: Kind, old_start: datetime | None = None) -> bool:
    """Tell the client (and, except for reminders, the practitioner). Returns False if sending failed:
    the booking itself stands either way, and the failure is logged without personal data."""
    booking = bookings.booking_with_history(booking_id)
    if booking is None:
        return False
    try:
        _send(booking, booking.client, "client", kind, old_start)
        if kind != "reminder":
            _send(booking, booking.practitioner, "practitioner", kind, old_start)
        db.session.commit()  # the messages are in the outbox: the worker sends them
    except Exception:  # noqa: BLE001 - a mail server being down must not undo a booking
        log.exception("booking e-mail failed: booking=%s kind=%s", booking.id, kind)
        return False
    return True
