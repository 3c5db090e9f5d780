"""Services, availability, booking rules and bookings.

Double booking is refused by the database itself: on PostgreSQL an exclusion constraint over each
practitioner's blocked time ranges (btree_gist), on SQLite triggers that do the same check inside the
write transaction. Both live in the migration that creates `bookings` (see BLOCKING_STATUSES).
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from portal.crypto import EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.accounts import User


class BookingStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    EXPIRED = "expired"


# Bookings in these states hold their time; the database refuses two that overlap.
ACTIVE_STATUSES = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)
BLOCKING_STATUSES = (
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)
NO_OVERLAP_CONSTRAINT = "bookings_no_overlap"


class LocationKind(enum.StrEnum):
    """Where a service's sessions happen."""

    IN_PERSON = "in_person"  # at the practice address, or the service's own
    PHONE = "phone"  # the practitioner phones the client
    VIDEO = "video"  # in the practitioner's own video room (a link she sets; the portal calls none)


VIDEO_URL_MAX = 500  # a room link's length limit, in the database and the forms
ADDRESS_MAX = 300


class Service(Model):
    """Something a client can book: a discovery call, an initial consultation, a follow-up."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration_range"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint(one_of("location_kind", LocationKind), name="location_kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(Integer)  # integer minor units (pence, cents)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Where its sessions happen; the video room link is only for video, the address overrides the practice's.
    location_kind: Mapped[str] = mapped_column(String(20), default=LocationKind.IN_PERSON.value)
    video_url: Mapped[str] = mapped_column(String(VIDEO_URL_MAX), default="")
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    practitioner: Mapped[User] = relationship(lazy="raise")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class BookingRules(Model):
    """One practitioner's booking policy."""

    __tablename__ = "booking_rules"
    __table_args__ = (
        CheckConstraint("buffer_before_minutes BETWEEN 0 AND 240", name="buffer_before_range"),
        CheckConstraint("buffer_after_minutes BETWEEN 0 AND 240", name="buffer_after_range"),
        CheckConstraint("min_notice_minutes BETWEEN 0 AND 43200", name="notice_range"),
        CheckConstraint("horizon_days BETWEEN 1 AND 365", name="horizon_range"),
        CheckConstraint("slot_step_minutes BETWEEN 5 AND 240", name="step_range"),
        CheckConstraint("cancellation_window_hours BETWEEN 0 AND 336", name="cancellation_range"),
        CheckConstraint("hold_minutes BETWEEN 5 AND 1440", name="hold_range"),
        CheckConstraint("reminder_hours BETWEEN 1 AND 168", name="reminder_range"),
    )

    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=15)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=12 * 60)
    horizon_days: Mapped[int] = mapped_column(Integer, default=60)
    slot_step_minutes: Mapped[int] = mapped_column(Integer, default=15)
    cancellation_window_hours: Mapped[int] = mapped_column(Integer, default=24)
    hold_minutes: Mapped[int] = mapped_column(Integer, default=15)
    reminder_hours: Mapped[int] = mapped_column(Integer, default=24)
    # Secret for her private calendar feed; None when she has revoked it.
    calendar_feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Questionnaire codes sent to a client when she makes her first booking (Questionnaires -> Intake set).
    intake_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Where she sees clients in person; a service may name another address of its own.
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX), default="")


class WorkingHours(Model):
    """A weekly range she works, in her own zone's wall-clock time (minutes after midnight)."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="range_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class TimeOff(Model):
    """Days she does not work (holidays, training), inclusive, in her own zone."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="day_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")


class Booking(Model):
    """A client's session with the practitioner, and the time it blocks in her diary."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="time_order"),
        CheckConstraint("blocked_from <= starts_at AND blocked_until >= ends_at", name="blocked_covers_session"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint(one_of("status", BookingStatus), name="status_valid"),
        Index("ix_bookings_practitioner_blocked", "practitioner_id", "blocked_from"),
        # Pages read sessions by time: her agenda, the practice's, a client's next and last session.
        Index("ix_bookings_practitioner_starts", "practitioner_id", "starts_at"),
        Index("ix_bookings_client_starts", "client_id", "starts_at"),
        Index("ix_bookings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_hex(16))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    status: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_from: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    # What was agreed when she booked: later price changes do not touch it.
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # the calendar invitation's SEQUENCE
    # A video room for this session alone, instead of the service's; None: the service's.
    video_url: Mapped[str | None] = mapped_column(String(VIDEO_URL_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship(lazy="raise")
    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")
    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id], lazy="raise")
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", lazy="raise", order_by="BookingEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        """On: confirmed, or holding its time while the payment is made."""
        return self.status in ACTIVE_STATUSES

    def is_upcoming(self, now: datetime) -> bool:
        """The one meaning of "upcoming", for every page: active and not yet over (see `upcoming`, its SQL)."""
        return self.is_active and self.ends_at > now

    @classmethod
    def upcoming(cls, now: datetime) -> ColumnElement[bool]:
        """SQL: the booking is upcoming (as `is_upcoming`)."""
        return cls.status.in_([s.value for s in ACTIVE_STATUSES]) & (cls.ends_at > now)


class BookingEvent(Model):
    """One line of a booking's history: created, moved, cancelled, completed ..."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the portal itself
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    old_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    new_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(EncryptedText(), default="")  # e.g. a cancellation reason: may be health text

    booking: Mapped[Booking] = relationship(back_populates="events", lazy="raise")
    actor: Mapped[User | None] = relationship(lazy="raise")


class SentNotification(Model):
    """A message the jobs command has sent; the unique key makes each one go out exactly once,
    however many copies of the command run at the same time."""

    __tablename__ = "sent_notifications"
    __table_args__ = (UniqueConstraint("booking_id", "kind", "key", name="uq_sent_notifications_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
