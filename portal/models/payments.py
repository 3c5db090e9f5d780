"""Payments for bookings and package instalments (by card through Stripe, or recorded by hand), their refunds,
and the Stripe events already handled."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.accounts import User
from portal.models.booking import Booking
from portal.models.packages import PackageInstalment


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    OTHER = "other"


class Payment(Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor", name="refunds_within_amount"),
        CheckConstraint(one_of("status", PaymentStatus), name="status_valid"),
        CheckConstraint("method in ('card', 'cash', 'bank_transfer', 'other')", name="method_valid"),
        CheckConstraint("(booking_id IS NULL) != (instalment_id IS NULL)", name="pays_one_thing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A payment is for one session or for one instalment of a package plan (the first is the purchase itself).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("package_instalments.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # Refunds asked for and not failed: the database refuses more than was paid.
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_client_secret: Mapped[str | None] = mapped_column(String(255))
    failure_message: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(EncryptedText(), default="")  # free text about the client: encrypted
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    booking: Mapped[Booking | None] = relationship(lazy="raise")
    instalment: Mapped[PackageInstalment | None] = relationship(lazy="raise")
    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", lazy="raise", order_by="Refund.id")

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor if self.status == PaymentStatus.SUCCEEDED else 0


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(Model):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(one_of("status", RefundStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(EncryptedText(), default="")  # free text about the client: encrypted
    status: Mapped[str] = mapped_column(String(20))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the portal itself
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    payment: Mapped[Payment] = relationship(back_populates="refunds", lazy="raise")


class StripeEvent(Model):
    """A webhook event already handled; its id as primary key makes a replay a no-op."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
