"""Packages (programmes of sessions sold together), what clients bought, their session credits, instalment
plans, and promo codes.

- A `Package` is the thing she sells; each change she publishes is a `PackageVersion`, so a version someone
  bought is never changed under her. A version is a draft until published; publishing a new version retires
  the one before. At most one version of a package is published (a partial unique index).
- A `PackagePurchase` is one client's purchase of one version, at the price worked out on the server; it is
  valid until `valid_until`. It holds one `PackageCredit` per session it covers.
- A credit is spent by pointing it at a booking. Spending is a conditional UPDATE (`booking_id IS NULL`), so
  two bookings racing for the last credit cannot both take it; a booking holds at most one credit (unique).
  A credit returned (a cancellation inside the policy) has its booking cleared; a refunded credit is gone.
- `PackageInstalment` is one payment of a plan: the parts add up to the price exactly.
- A `PromoCode`'s total use count is raised by a conditional UPDATE that the database checks against its
  limit; each use is a `PromoRedemption`.

All amounts are integer minor units (pence, cents).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model
from portal.models.booking import Service

NAME_MAX = 120
DESCRIPTION_MAX = 2000
CODE_MAX = 30


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"  # a newer version is published, or the package was withdrawn


class Package(Model):
    """What she sells, across its versions."""

    __tablename__ = "packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[PackageVersion]] = relationship(
        back_populates="package", lazy="raise", order_by="PackageVersion.version"
    )


class PackageVersion(Model):
    """One version of a package: its name, sessions, price, validity and plan."""

    __tablename__ = "package_versions"
    __table_args__ = (
        UniqueConstraint("package_id", "version", name="uq_package_versions_package_version"),
        CheckConstraint(one_of("status", VersionStatus), name="status_valid"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("valid_days BETWEEN 1 AND 1095", name="valid_days_range"),
        CheckConstraint("instalments BETWEEN 1 AND 24", name="instalments_range"),
        CheckConstraint("instalment_every_months BETWEEN 1 AND 12", name="every_months_range"),
        CheckConstraint("instalments = 1 OR price_minor >= instalments", name="instalments_payable"),
        Index(
            "uq_package_versions_one_published",
            "package_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=VersionStatus.DRAFT.value)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    valid_days: Mapped[int] = mapped_column(Integer, default=120)  # from purchase
    online: Mapped[bool] = mapped_column(Boolean, default=True)  # can be bought on the booking pages
    instalments: Mapped[int] = mapped_column(Integer, default=1)  # 1: paid in full at purchase
    instalment_every_months: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    package: Mapped[Package] = relationship(back_populates="versions", lazy="raise")
    items: Mapped[list[PackageItem]] = relationship(
        back_populates="version", lazy="raise", cascade="all, delete-orphan", order_by="PackageItem.id"
    )


class PackageItem(Model):
    """So many sessions of one service in a package version."""

    __tablename__ = "package_items"
    __table_args__ = (
        UniqueConstraint("version_id", "service_id", name="uq_package_items_version_service"),
        CheckConstraint("sessions BETWEEN 1 AND 52", name="sessions_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("package_versions.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    sessions: Mapped[int] = mapped_column(Integer)

    version: Mapped[PackageVersion] = relationship(back_populates="items", lazy="raise")
    service: Mapped[Service] = relationship(lazy="raise")


class PurchaseStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first payment
    ACTIVE = "active"
    REFUNDED = "refunded"  # every credit left was refunded
    CANCELLED = "cancelled"  # never paid


class PackagePurchase(Model):
    """One client's purchase of one package version."""

    __tablename__ = "package_purchases"
    __table_args__ = (
        CheckConstraint(one_of("status", PurchaseStatus), name="status_valid"),
        CheckConstraint("list_price_minor >= 0", name="list_price_not_negative"),
        CheckConstraint("discount_minor BETWEEN 0 AND list_price_minor", name="discount_within_price"),
        CheckConstraint("refunded_minor >= 0", name="refunded_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("package_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PurchaseStatus.PENDING.value)
    list_price_minor: Mapped[int] = mapped_column(Integer)
    discount_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    promo_code_id: Mapped[int | None] = mapped_column(ForeignKey("promo_codes.id"))
    block_booking_when_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: bought online
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # set when activated
    # Bought online and waiting for its first card payment: until then its promo code's use is held for her.
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[PackageVersion] = relationship(lazy="raise")
    credits: Mapped[list[PackageCredit]] = relationship(
        back_populates="purchase", lazy="raise", order_by="PackageCredit.id"
    )
    instalments: Mapped[list[PackageInstalment]] = relationship(
        back_populates="purchase", lazy="raise", order_by="PackageInstalment.number"
    )

    @property
    def price_minor(self) -> int:
        """What she pays for it: the list price less the discount, never negative (the database checks)."""
        return self.list_price_minor - self.discount_minor


class PackageCredit(Model):
    """One session of one service that a purchase covers."""

    __tablename__ = "package_credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(ForeignKey("package_purchases.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    purchase: Mapped[PackagePurchase] = relationship(back_populates="credits", lazy="raise")


class InstalmentStatus(enum.StrEnum):
    DUE = "due"
    PAID = "paid"
    CANCELLED = "cancelled"  # the purchase was refunded or never paid


class PackageInstalment(Model):
    """One payment of a purchase's plan."""

    __tablename__ = "package_instalments"
    __table_args__ = (
        UniqueConstraint("purchase_id", "number", name="uq_package_instalments_purchase_number"),
        CheckConstraint(one_of("status", InstalmentStatus), name="status_valid"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(ForeignKey("package_purchases.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 is paid at purchase
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=InstalmentStatus.DUE.value)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pay_link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    purchase: Mapped[PackagePurchase] = relationship(back_populates="instalments", lazy="raise")


class DiscountKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class PromoCode(Model):
    """A code that takes a percentage or a fixed amount off chosen services and packages."""

    __tablename__ = "promo_codes"
    __table_args__ = (
        UniqueConstraint("practitioner_id", "code", name="uq_promo_codes_practitioner_code"),
        CheckConstraint(one_of("kind", DiscountKind), name="kind_valid"),
        CheckConstraint("kind != 'percent' OR percent BETWEEN 1 AND 100", name="percent_range"),
        CheckConstraint("kind != 'fixed' OR amount_minor > 0", name="amount_positive"),
        CheckConstraint("max_uses IS NULL OR max_uses >= 1", name="max_uses_positive"),
        CheckConstraint("per_client_limit IS NULL OR per_client_limit >= 1", name="per_client_positive"),
        CheckConstraint("uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)", name="uses_within_limit"),
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until", name="dates_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX))  # stored upper case; typed in any case
    kind: Mapped[str] = mapped_column(String(10))
    percent: Mapped[int | None] = mapped_column(Integer)
    amount_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date | None] = mapped_column(Date)  # in the practice's zone, inclusive
    valid_until: Mapped[date | None] = mapped_column(Date)  # inclusive
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    per_client_limit: Mapped[int | None] = mapped_column(Integer)
    first_booking_only: Mapped[bool] = mapped_column(Boolean, default=False)
    all_services: Mapped[bool] = mapped_column(Boolean, default=False)
    all_packages: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PromoTarget(Model):
    """A service or a package a code applies to (besides "all services" / "all packages")."""

    __tablename__ = "promo_targets"
    __table_args__ = (
        CheckConstraint("(service_id IS NULL) != (package_id IS NULL)", name="one_target"),
        UniqueConstraint("code_id", "service_id", "package_id", name="uq_promo_targets_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("promo_codes.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"))


class PromoRedemption(Model):
    """One use of a code, by one client, for a booking or a package purchase."""

    __tablename__ = "promo_redemptions"
    __table_args__ = (
        CheckConstraint("(booking_id IS NULL) != (purchase_id IS NULL)", name="one_use"),
        CheckConstraint("discount_minor >= 0", name="discount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("promo_codes.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("package_purchases.id"), unique=True)
    discount_minor: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
