"""The practice as a whole: how clients reach it (one row, kept by the owner), and when each team member last
looked at the dashboard's "what happened"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model

PHONE_MAX = 40
EMAIL_MAX = 254
REGISTRATION_MAX = 300


class PracticeContact(Model):
    """The practice's phone, e-mail and registration details (one row, id 1). Its name is PRACTICE_NAME and its
    address the owner's practice address (booking_rules.address): neither is stored twice."""

    __tablename__ = "practice_contact"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="")
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), default="")
    # e.g. "Registered nutritional therapist, BANT no. 12345; CNHC no. 6789": one or two lines.
    registration: Mapped[str] = mapped_column(String(REGISTRATION_MAX), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ActivitySeen(Model):
    """When a team member last marked the dashboard's "what happened" as seen."""

    __tablename__ = "activity_seen"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
