"""Promo codes: checked before she pays, so the price she is shown is the price charged, and redeemed in the
same transaction as the booking or purchase they discount.

The total use limit is the database's to keep: a use raises `uses` by a conditional UPDATE (`uses <
max_uses`), and the CHECK `uses <= max_uses` refuses the rest, so racing clients cannot pass it. The
per-client limit is counted with her account row locked (FOR UPDATE on PostgreSQL; SQLite writes one at a
time), so one client racing herself cannot pass it either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update

from portal.db_types import affected_rows
from portal.extensions import db
from portal.models import (
    Booking,
    BookingStatus,
    DiscountKind,
    Package,
    PackagePurchase,
    PromoCode,
    PromoRedemption,
    PromoTarget,
    PurchaseStatus,
    Service,
    User,
)
from portal.models.packages import CODE_MAX
from portal.packages import pricing

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
# Bookings that make a client no longer new: she has had, or has, a session.
HAD_A_SESSION = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


class PromoError(ValueError):
    """The code cannot be used here; str() says why, for the person typing it."""


@dataclass(frozen=True)
class Applied:
    """A code that applies to a price, and what it takes off."""

    code: PromoCode
    list_price_minor: int
    discount_minor: int

    @property
    def price_minor(self) -> int:
        return self.list_price_minor - self.discount_minor


def normalise(text: str) -> str:
    """The code as stored: upper case, no spaces around it; refused when it cannot be a code."""
    code = text.strip().upper()
    if not code or len(code) > CODE_MAX or not CODE_PATTERN.match(code):
        raise PromoError(f"A code is 1 to {CODE_MAX} letters, digits, hyphens or underscores.")
    return code


def _targets(code: PromoCode, *, service_id: int | None, package_id: int | None) -> bool:
    if service_id is not None and code.all_services or package_id is not None and code.all_packages:
        return True
    target = PromoTarget.service_id == service_id if service_id is not None else PromoTarget.package_id == package_id
    return db.session.scalar(select(PromoTarget.id).where(PromoTarget.code_id == code.id, target).limit(1)) is not None


def is_new_client(client_id: int) -> bool:
    """No session booked before (a cancelled or expired one does not count) and no package bought."""
    booked = select(Booking.id).where(Booking.client_id == client_id, Booking.status.in_(HAD_A_SESSION))
    bought = select(PackagePurchase.id).where(
        PackagePurchase.client_id == client_id, PackagePurchase.status != PurchaseStatus.CANCELLED
    )
    return not db.session.scalar(select(or_(booked.exists(), bought.exists())))


def client_uses(code_id: int, client_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(PromoRedemption.code_id == code_id, PromoRedemption.client_id == client_id)
        )
        or 0
    )


def check(
    practitioner_id: int,
    text: str,
    client: User,
    *,
    list_price_minor: int,
    currency: str,
    today: date,
    service_id: int | None = None,
    package_id: int | None = None,
) -> Applied:
    """Whether the code applies to this service or package for her today, and what it takes off."""
    if (service_id is None) == (package_id is None):
        raise ValueError("a code is checked against one service or one package")
    code = db.session.scalar(
        select(PromoCode).where(PromoCode.practitioner_id == practitioner_id, PromoCode.code == normalise(text))
    )
    if code is None or not code.active:
        raise PromoError("That code is not one we know. Check it and try again.")
    if code.valid_from and today < code.valid_from:
        raise PromoError(f"That code can be used from {code.valid_from:%-d %B %Y}.")
    if code.valid_until and today > code.valid_until:
        raise PromoError(f"That code ended on {code.valid_until:%-d %B %Y}.")
    if not _targets(code, service_id=service_id, package_id=package_id):
        raise PromoError("That code is not for this " + ("session." if service_id is not None else "package."))
    if code.max_uses is not None and code.uses >= code.max_uses:
        raise PromoError("That code has been used up.")
    if code.per_client_limit is not None and client_uses(code.id, client.id) >= code.per_client_limit:
        raise PromoError("You have already used that code.")
    if code.first_booking_only and not is_new_client(client.id):
        raise PromoError("That code is for a first session only.")
    if code.kind == DiscountKind.FIXED and code.currency != currency:
        raise PromoError("That code is not for this currency.")
    off = (
        pricing.discount(list_price_minor, percent=code.percent)
        if code.kind == DiscountKind.PERCENT
        else pricing.discount(list_price_minor, amount_minor=code.amount_minor)
    )
    return Applied(code, list_price_minor, off)


def redeem(applied: Applied, client: User, *, booking_id: int | None = None, purchase_id: int | None = None) -> None:
    """Count one use, in the caller's transaction (which commits or rolls back with it). Raises PromoError when
    the last use went to someone else a moment ago, or she reached her own limit meanwhile."""
    code = applied.code
    db.session.execute(select(User.id).where(User.id == client.id).with_for_update())
    if code.per_client_limit is not None and client_uses(code.id, client.id) >= code.per_client_limit:
        raise PromoError("You have already used that code.")
    counted = db.session.execute(
        update(PromoCode)
        .where(
            PromoCode.id == code.id,
            PromoCode.active.is_(True),
            or_(PromoCode.max_uses.is_(None), PromoCode.uses < PromoCode.max_uses),
        )
        .values(uses=PromoCode.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(counted) != 1:
        raise PromoError("That code has just been used up.")
    db.session.add(
        PromoRedemption(
            code_id=code.id,
            client_id=client.id,
            booking_id=booking_id,
            purchase_id=purchase_id,
            discount_minor=applied.discount_minor,
        )
    )
    db.session.flush()


def release(*, booking_id: int | None = None, purchase_id: int | None = None) -> bool:
    """Give a use back when what it discounted was never paid (a hold that expired), in the caller's
    transaction. True when there was one."""
    column = PromoRedemption.booking_id if booking_id is not None else PromoRedemption.purchase_id
    redemption = db.session.scalar(select(PromoRedemption).where(column == (booking_id or purchase_id)))
    if redemption is None:
        return False
    db.session.execute(
        update(PromoCode)
        .where(PromoCode.id == redemption.code_id, PromoCode.uses > 0)
        .values(uses=PromoCode.uses - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(redemption)
    return True


def create_code(
    practitioner: User,
    text: str,
    *,
    currency: str,
    percent: int | None = None,
    amount_minor: int | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    max_uses: int | None = None,
    per_client_limit: int | None = None,
    first_booking_only: bool = False,
    all_services: bool = False,
    all_packages: bool = False,
    service_ids: tuple[int, ...] = (),
    package_ids: tuple[int, ...] = (),
) -> PromoCode:
    """A new code of hers; PromoError says what is wrong with it."""
    code_text = normalise(text)
    if (percent is None) == (amount_minor is None):
        raise PromoError("Give a percentage or an amount.")
    if percent is not None and not 1 <= percent <= 100:
        raise PromoError("A percentage is from 1 to 100.")
    if amount_minor is not None and amount_minor <= 0:
        raise PromoError("An amount off is more than nothing.")
    if valid_from and valid_until and valid_from > valid_until:
        raise PromoError("The last day comes on or after the first.")
    if not (all_services or all_packages or service_ids or package_ids):
        raise PromoError("Choose what the code is for: sessions, packages, or both.")
    own_services = set(db.session.scalars(select(Service.id).where(Service.practitioner_id == practitioner.id)))
    own_packages = set(db.session.scalars(select(Package.id).where(Package.practitioner_id == practitioner.id)))
    if not set(service_ids) <= own_services or not set(package_ids) <= own_packages:
        raise PromoError("Choose your own sessions and packages.")
    taken = select(PromoCode.id).where(PromoCode.practitioner_id == practitioner.id, PromoCode.code == code_text)
    if db.session.scalar(taken) is not None:
        raise PromoError("You already have a code with these letters.")
    code = PromoCode(
        practitioner_id=practitioner.id,
        code=code_text,
        kind=DiscountKind.PERCENT.value if percent is not None else DiscountKind.FIXED.value,
        percent=percent,
        amount_minor=amount_minor,
        currency=currency,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        per_client_limit=per_client_limit,
        first_booking_only=first_booking_only,
        all_services=all_services,
        all_packages=all_packages,
    )
    db.session.add(code)
    db.session.flush()
    db.session.add_all(PromoTarget(code_id=code.id, service_id=sid) for sid in sorted(set(service_ids)))
    db.session.add_all(PromoTarget(code_id=code.id, package_id=pid) for pid in sorted(set(package_ids)))
    db.session.commit()
    return code


def codes_of(practitioner_id: int) -> list[PromoCode]:
    return list(
        db.session.scalars(
            select(PromoCode).where(PromoCode.practitioner_id == practitioner_id).order_by(PromoCode.code)
        )
    )


def set_active(code: PromoCode, active: bool) -> PromoCode:
    code.active = active
    db.session.commit()
    return code
