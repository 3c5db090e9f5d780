"""The practice's team: care teams, roles, deactivation and invitations (the domain behind Settings → Team)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.accounts import users
from portal.db_types import affected_rows, utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import INVITABLE_ROLES, STAFF_ROLES, CareTeam, Invitation, Role, User
from portal.cases.search import like_pattern, words_of
from portal.models import ClientProfile

INVITATION_DAYS = 7


class TeamError(ValueError):
    """A change to the team that is refused, with the sentence to show."""


def join_care_team(practitioner_id: int, client_id: int, added_by_id: int | None = None) -> None:
    """Put the client on the practitioner's care team, in the caller's transaction; nothing if she is on it.

    An INSERT ... ON CONFLICT DO NOTHING, so two first bookings at once cannot both add (or fail on) the pair.
    """
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(CareTeam)
        .values(practitioner_id=practitioner_id, client_id=client_id, added_at=utcnow(), added_by_id=added_by_id)
        .on_conflict_do_nothing(index_elements=["practitioner_id", "client_id"])
    )


@dataclass(frozen=True)
class Contact:
    client: User
    phone: str


def contact_rows(query: str, scope, limit: int) -> list[Contact]:
    """Clients matching the words typed, with their phone number, for the front desk: one query, scoped in
    SQL by `scope(User.id)`; no health data is loaded."""
    condition = (User.role == Role.CLIENT) & scope(User.id)
    for word in words_of(query):
        pattern = like_pattern(word)
        condition &= User.name.ilike(pattern, escape="\\") | User.email.ilike(pattern, escape="\\")
    rows = db.session.execute(
        db.select(User, ClientProfile.phone)
        .outerjoin(ClientProfile, ClientProfile.client_id == User.id)
        .filter(condition)
        .order_by(db.func.lower(User.name), User.id)
        .limit(limit)
    ).all()
    return [Contact(user, phone or "") for user, phone in rows]


def leave_care_team(practitioner_id: int, client_id: int) -> None:
    db.session.execute(db.delete(CareTeam).filter_by(practitioner_id=practitioner_id, client_id=client_id))


def care_team_of(client_id: int) -> list[User]:
    """The practitioners caring for a client, by name."""
    return list(
        db.session.execute(
            db.select(User)
            .join(CareTeam, CareTeam.practitioner_id == User.id)
            .filter(CareTeam.client_id == client_id)
            .order_by(db.func.lower(User.name), User.id)
        ).scalars()
    )


def members() -> list[User]:
    """Everyone on the team (deactivated members too), owner first."""
    order = db.case((User.role == Role.OWNER, 0), (User.role == Role.PRACTITIONER, 1), else_=2)
    return list(
        db.session.execute(
            db.select(User)
            .filter(User.role.in_([r.value for r in STAFF_ROLES]))
            .order_by(order, db.func.lower(User.name), User.id)
        ).scalars()
    )


def practitioners() -> list[User]:
    """Active owner and practitioners: those a client can book and a care team can hold."""
    return [m for m in members() if m.is_practitioner and m.is_active]


def member_or_none(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_staff else None


def change_role(member: User, role: Role, by: User) -> None:
    """Make a member a practitioner or the assistant; the owner stays the owner."""
    if member.is_owner or member.id == by.id:
        raise TeamError("The owner's own role cannot be changed here.")
    if role not in INVITABLE_ROLES:
        raise TeamError("Choose practitioner or assistant.")
    member.role = role.value
    users.add_practitioner_defaults(member)
    users.end_all_sessions(member)  # her open pages were built for her old role
    db.session.commit()


def deactivate(member: User, by: User, now: datetime | None = None) -> None:
    """She can no longer log in and every session she has open ends now; her records stay."""
    if member.is_owner or member.id == by.id:
        raise TeamError("The owner cannot be deactivated.")
    member.deactivated_at = now or utcnow()
    users.end_all_sessions(member)
    db.session.commit()


def reactivate(member: User) -> None:
    member.deactivated_at = None
    db.session.commit()


# Invitations --------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str  # only ever in the e-mailed link; the database keeps its hash


def invite(email: str, role: Role, by: User, now: datetime | None = None) -> NewInvitation:
    """A new single-use invitation, e-mailed (through the outbox) in the same transaction. Earlier open ones to the
    address lapse."""
    now = now or utcnow()
    email = users.normalise_email(email)
    if role not in INVITABLE_ROLES:
        raise TeamError("Choose practitioner or assistant.")
    if users.find_user_by_email(email) is not None:
        raise TeamError("Someone already has an account with this e-mail address.")
    db.session.execute(
        db.update(Invitation)
        .filter(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role.value,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
        invited_by_id=by.id,
    )
    db.session.add(invitation)
    send_mail(
        email,
        "You are invited to join the practice's team",
        "team_invitation",
        inviter=by.name,
        role=invitation.role,
        days=INVITATION_DAYS,
        link=absolute_url("team.accept", token=token),
    )
    db.session.commit()
    return NewInvitation(invitation, token)


def open_invitation(token: str, now: datetime | None = None) -> Invitation | None:
    """The invitation this link is for, if it is neither used nor expired."""
    now = now or utcnow()
    invitation = db.session.execute(db.select(Invitation).filter_by(token_hash=_hash(token[:100]))).scalar_one_or_none()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        return None
    return invitation


def pending_invitations(now: datetime | None = None) -> list[Invitation]:
    now = now or utcnow()
    return list(
        db.session.execute(
            db.select(Invitation)
            .filter(Invitation.accepted_at.is_(None), Invitation.expires_at > now)
            .order_by(Invitation.created_at.desc())
        ).scalars()
    )


def accept(invitation: Invitation, name: str, password: str, timezone: str, now: datetime | None = None) -> User:
    """Create her account in the invited role; the link cannot be used again (raises users' errors)."""
    now = now or utcnow()
    claimed = affected_rows(
        db.session.execute(
            db.update(Invitation)
            .filter(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
            .values(accepted_at=now)
        )
    )
    if claimed != 1:
        db.session.rollback()
        raise TeamError("This invitation has already been used.")
    try:
        return users.create_user(
            role=Role(invitation.role), name=name, email=invitation.email, password=password, timezone=timezone
        )  # commits the claim with the account
    except Exception:
        db.session.rollback()
        raise
