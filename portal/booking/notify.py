"""E-mails about bookings, to the client and to the practitioner, with calendar invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value

from portal.booking.bookings import rules_for
from portal.booking.calendar import CalendarEvent, invitation_ics
from portal.booking.place import Place, booking_place
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import Attachment, send_mail
from portal.models import Booking, LocationKind, Service, User
from portal.practice.details import contact_sentence
from portal.timeutil import local_datetime

Kind = Literal["confirmed", "rescheduled", "cancelled", "reminder", "place_changed"]

SUBJECTS = {
    ("client", "confirmed"): "Your session is booked: {when}",
    ("client", "rescheduled"): "Your session has moved to {when}",
    ("client", "cancelled"): "Your session on {when} is cancelled",
    ("client", "reminder"): "Reminder: your session on {when}",
    ("client", "place_changed"): "Where your session on {when} happens has changed",
    ("practitioner", "confirmed"): "New booking: {when}",
    ("practitioner", "rescheduled"): "Booking moved to {when}",
    ("practitioner", "cancelled"): "Booking cancelled: {when}",
}
PRODUCT_ID = "-//Practice portal//Bookings//EN"


def place_of(booking: Booking) -> Place:
    return booking_place(booking, rules_for(booking.practitioner_id))


def _where(place: Place, booking: Booking, for_practitioner: bool) -> str:
    """The calendar description's line on where the session happens."""
    if place.kind == LocationKind.VIDEO:
        return f"Join the video session: {place.video_url}" if place.video_url else "By video"
    if place.kind == LocationKind.PHONE:
        who = f"you phone {booking.client.name}" if for_practitioner else f"{booking.practitioner.name} phones you"
        return f"By phone: {who}"
    return f"In person: {place.calendar_location}" if place.address else "In person"


def calendar_event(booking: Booking, for_practitioner: bool) -> CalendarEvent:
    """The session as a calendar entry: LOCATION says where it happens (the address, "Phone call" or the video
    room), URL is the video room for a video session and the booking's page otherwise."""
    practitioner, client, service = booking.practitioner, booking.client, booking.service
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "portal"
    if for_practitioner:
        summary = f"{service.name}: {client.name}"
        link = absolute_url("booking.practitioner_booking", booking_id=booking.id)
    else:
        summary = f"{service.name} with {practitioner.name}"
        link = absolute_url("booking.client_booking", booking_id=booking.id)
    place = place_of(booking)
    room = place.video_url if place.kind == LocationKind.VIDEO else ""
    return CalendarEvent(
        uid=f"booking-{booking.uid}@{host}",
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=summary,
        description=f"{_where(place, booking, for_practitioner)}\n\nManage this booking: {link}",
        organizer_name=practitioner.name,
        organizer_email=practitioner.email,
        attendee_name=client.name,
        attendee_email=client.email,
        cancelled=booking.status == "cancelled",
        location=place.calendar_location,
        url=room or link,
    )


@dataclass(frozen=True)
class RefundNote:
    """What a cancellation gives back, for its e-mails (payments.refunds.cancel decides it before cancelling).

    kind: "free" (nothing to pay), "unpaid" (to be paid at the session, or an unpaid hold: nothing to refund),
    "full", "part" (what is left after earlier refunds), "earlier" (refunded before), "none" (the practice
    cancelled: she refunds what she decides), "credit_back" / "credit_used" (a session on a package credit,
    cancelled in time or late)."""

    kind: str
    paid: str = ""  # what was paid, e.g. "£75.00"
    refunded: str = ""  # what this cancellation refunds
    by_card: bool = False


def refund_words(note: RefundNote | None, role: str) -> str:
    """The cancellation e-mail's sentence about money, for the client or the practitioner ('' for a free one)."""
    if note is None or note.kind == "free":
        return ""
    if note.kind == "unpaid":
        return "Nothing was paid for this session, so there is nothing to refund."
    if note.kind in ("credit_back", "credit_used"):
        whose_package = "your" if role == "client" else "her"
        if note.kind == "credit_back":
            return f"The session goes back to {whose_package} package, to book again."
        return f"Cancelled this late, the session counts as used from {whose_package} package, as the policy says."
    card = " It reaches the card you paid with within a few days." if note.by_card else ""
    client = role == "client"
    whose = "your" if client else "the client's"
    if note.kind == "full":
        return f"Refund: {whose} payment of {note.paid} is refunded in full." + (card if client else "")
    if note.kind == "part":
        return (
            f"Refund: {note.refunded} of {whose} {note.paid} payment is refunded now; the rest was refunded earlier."
            + (card if client else "")
        )
    if note.kind == "earlier":
        return f"{whose.capitalize()} payment of {note.paid} was refunded earlier: there is nothing more to refund."
    if client:
        return (
            f"Refund: your payment of {note.paid} is not refunded automatically; the practice will let you know "
            "about a refund. " + contact_sentence("To ask, contact the practice")
        )
    return (
        f"Nothing is refunded automatically: the client paid {note.paid}. Refund what you decide on the session's page."
    )


def _send(
    booking: Booking,
    recipient: User,
    role: str,
    kind: Kind,
    old_start: datetime | None,
    refund: RefundNote | None = None,
) -> None:
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
        link=absolute_url(
            "booking.practitioner_booking" if role == "practitioner" else "booking.client_booking",
            booking_id=booking.id,
        ),
        place=place_of(booking),
        refund_words=refund_words(refund, role),
    )


def _load_people(booking: Booking) -> None:
    """Attach the service, client and practitioner the e-mails name, without marking the booking changed."""
    for name, model, key in (
        ("service", Service, booking.service_id),
        ("client", User, booking.client_id),
        ("practitioner", User, booking.practitioner_id),
    ):
        if name in inspect(booking).unloaded:
            set_committed_value(booking, name, db.session.get_one(model, key))


def queue_booking_emails(
    booking: Booking, kind: Kind, old_start: datetime | None = None, refund: RefundNote | None = None
) -> None:
    """Queue the e-mails a change causes, in the caller's transaction: to the client and, except for reminders and
    changes of place (which the practitioner made herself), to the practitioner. They leave with the outbox once the
    change commits; a change rolled back sends none."""
    _load_people(booking)
    _send(booking, booking.client, "client", kind, old_start, refund)
    if kind not in ("reminder", "place_changed"):
        _send(booking, booking.practitioner, "practitioner", kind, old_start, refund)
