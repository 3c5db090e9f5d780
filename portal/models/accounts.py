"""People who log in: the practitioner and her clients."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    PRACTITIONER = "practitioner"
    CLIENT = "client"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


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
    # What the login cookie carries instead of the id; rotating it logs out every session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    def __repr__(self) -> str:  # no personal data in reprs: they end up in logs
        return f"<User {self.id} {self.role}>"
