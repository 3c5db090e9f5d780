"""People who log in: the practice's team (owner, practitioners, assistant) and its clients, their login
sessions, and which practitioner cares for which client."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model


class Role(enum.StrEnum):
    OWNER = "owner"  # the practice's first practitioner: a practitioner who also runs the team
    PRACTITIONER = "practitioner"
    ASSISTANT = "assistant"  # front desk: agenda, bookings, payments and contact details, nothing clinical
    CLIENT = "client"


# The roles an invitation can give: the owner is the practice's first practitioner, and clients sign up.
INVITABLE_ROLES = (Role.PRACTITIONER, Role.ASSISTANT)


CLINICAL_ROLES = (Role.OWNER, Role.PRACTITIONER)
STAFF_ROLES = (Role.OWNER, Role.PRACTITIONER, Role.ASSISTANT)


class User(UserMixin, Model):
    """One account. Several practitioners can exist; clients are told apart by role."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(one_of("role", Role), name="role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    # Stored normalised (trimmed, lower case): uniqueness is case-insensitive by construction.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None until she opens the link e-mailed at sign-up; an account is not used before that.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the owner deactivates a team member: she can no longer log in; her records stay.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in, or keep logged in, an inactive account
        return self.email_verified_at is not None and self.deactivated_at is None

    def login_session_token(self) -> str:
        """What login_user() keeps in the cookie: the token of the session just started for her
        (portal.accounts.sessions.start_session attaches it; it is never stored in plain)."""
        return self._login_session_token

    @property
    def is_practitioner(self) -> bool:
        """Owner or practitioner: someone who sees clinical pages (for her own clients)."""
        return self.role in CLINICAL_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_assistant(self) -> bool:
        return self.role == Role.ASSISTANT

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def has_idle_timeout(self) -> bool:
        """Everyone but clients works on other people's records: their sessions also end when idle."""
        return self.role != Role.CLIENT

    def __repr__(self) -> str:  # no personal data in reprs: they end up in logs
        return f"<User {self.id} {self.role}>"


class UserSession(Model):
    """One login on one device. The cookie holds a random token; only its SHA-256 is stored here, so a
    copy of the database opens no session. Ending the row ends the session, whatever cookie is replayed."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    device: Mapped[str] = mapped_column(String(80), default="")  # "Firefox on Windows": never the raw header

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class CareTeam(Model):
    """A practitioner cares for a client: she sees the client's pages. Added when the client first books
    with her, or by the owner."""

    __tablename__ = "care_team"
    __table_args__ = (UniqueConstraint("practitioner_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the booking or migration

    def __repr__(self) -> str:
        return f"<CareTeam practitioner={self.practitioner_id} client={self.client_id}>"


class Invitation(Model):
    """An e-mailed, single-use, expiring invitation to join the team in a role."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(one_of("role", INVITABLE_ROLES), name="invitation_role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the link's token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.role}>"
