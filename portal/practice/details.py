"""How clients reach the practice: its name (PRACTICE_NAME), address (the owner's practice address), phone,
e-mail and registration details, read once per request for the footer, booking pages, receipts and e-mails.

This module imports only models, so mail, templates and every area can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import BookingRules, PracticeContact, Role, User
from portal.models.practice import EMAIL_MAX, PHONE_MAX, REGISTRATION_MAX

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{6,}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Practice:
    name: str
    address: str = ""  # lines
    phone: str = ""
    email: str = ""
    registration: str = ""

    @property
    def reachable(self) -> bool:
        """Has a phone number or an e-mail address to give when a page says "contact the practice"."""
        return bool(self.phone or self.email)

    @property
    def phone_link(self) -> str:
        """The number for a tel: link: digits and a leading +."""
        return ("+" if self.phone.startswith("+") else "") + re.sub(r"\D", "", self.phone)


def _owner_address():
    return (
        db.select(BookingRules.address)
        .join(User, User.id == BookingRules.practitioner_id)
        .where(User.role == Role.OWNER)
        .order_by(User.id)
        .limit(1)
        .scalar_subquery()
    )


def _contact_column(column):
    return db.select(column).where(PracticeContact.id == 1).scalar_subquery()


def load_practice() -> Practice:
    """The practice's details, in one query."""
    row = db.session.execute(
        db.select(
            _owner_address(),
            _contact_column(PracticeContact.phone),
            _contact_column(PracticeContact.email),
            _contact_column(PracticeContact.registration),
        )
    ).one()
    address, phone, email, registration = (value or "" for value in row)
    return Practice(current_app.config["PRACTICE_NAME"], address, phone, email, registration)


def practice() -> Practice:
    """The practice's details, read once per request (afresh outside one: a worker runs for days). When the
    database can't be read (the error page after a database failure), just the name."""
    if has_request_context() and "practice_details" in g:
        return g.practice_details
    try:
        found = load_practice()
    except SQLAlchemyError:
        db.session.rollback()
        return Practice(current_app.config["PRACTICE_NAME"])
    if has_request_context():
        g.practice_details = found
    return found


class ContactError(ValueError):
    """Details that can't be saved; `field` names the field, str() is the message for her."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def contact_problems(phone: str, email: str, registration: str) -> dict[str, str]:
    """What is wrong with each field, by field name (empty: nothing). Every field may be left empty."""
    problems = {}
    if len(phone) > PHONE_MAX:
        problems["phone"] = f"Use at most {PHONE_MAX} characters."
    elif phone and not PHONE_PATTERN.match(phone):
        problems["phone"] = "Enter a phone number: digits, spaces, brackets, dashes and a leading +."
    if len(email) > EMAIL_MAX:
        problems["email"] = f"An e-mail address is at most {EMAIL_MAX} characters."
    elif email and not EMAIL_PATTERN.match(email):
        problems["email"] = "Enter an e-mail address like hello@example.com."
    if len(registration) > REGISTRATION_MAX:
        problems["registration"] = f"Use at most {REGISTRATION_MAX} characters."
    return problems


def save_contact(phone: str, email: str, registration: str, actor: User) -> PracticeContact:
    """Save the practice's phone, e-mail and registration details (the owner's alone)."""
    phone, email = phone.strip(), email.strip().lower()
    registration = "\n".join(line.strip() for line in registration.splitlines() if line.strip())
    problems = contact_problems(phone, email, registration)
    if problems:
        field, message = next(iter(problems.items()))
        raise ContactError(field, message)
    row = db.session.get(PracticeContact, 1) or PracticeContact(id=1)
    row.phone, row.email, row.registration, row.updated_by_id = phone, email, registration, actor.id
    db.session.add(row)
    db.session.commit()
    if has_request_context():
        g.pop("practice_details", None)
    return row


def contact_sentence(lead: str = "Please contact the practice") -> str:
    """'Please contact the practice: phone … or e-mail ….' in plain text, for messages built in Python."""
    found = practice()
    ways = [f"phone {found.phone}" if found.phone else "", f"e-mail {found.email}" if found.email else ""]
    how = " or ".join(way for way in ways if way)
    return f"{lead}: {how}." if how else f"{lead}."
