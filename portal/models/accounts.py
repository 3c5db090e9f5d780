"""People who log in (the practitioner and her clients) and their login sessions."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    PRACTITIONER = "practitioner"
    CLIENT = "client"


class User(UserMixin, db.Model):
    """One account. Several practitioners can exist; clients are told apart by role."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role in ('practitioner', 'client')", name="role_valid"),)

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

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return self.email_verified_at is not None

    def login_session_token(self) -> str:
        """What login_user() keeps in the cookie: the token of the session just started for her
        (portal.accounts.sessions.start_session attaches it; it is never stored in plain)."""
        return self._login_session_token

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def has_idle_timeout(self) -> bool:
        """Everyone but clients works on other people's records: their sessions also end when idle."""
        return self.role != Role.CLIENT

    def __repr__(self) -> str:  # no personal data in reprs: they end up in logs
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
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
