"""What a client bought: the price worked out on the server, the purchase's session credits, its instalment
plan, and ending it early with a refund.

A credit is spent by a conditional UPDATE that only succeeds while the credit is free (`booking_id IS NULL`):
two bookings racing for her last credit both try the same row, the database lets one through and the other
finds the row taken, so the same credit is never spent twice. A booking holds at most one credit (a unique
column). A credit is usable while its purchase is active and before it expires (`valid_until`); a session
booked before the expiry keeps its credit whenever it takes place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal.db_types import affected_rows
from portal.extensions import db
from portal.models import (
    Booking,
    InstalmentStatus,
    Package,
    PackageCredit,
    PackageInstalment,
    PackageItem,
    PackagePurchase,
    PackageVersion,
    PurchaseStatus,
    Service,
    User,
    VersionStatus,
)
from portal.packages import pricing, promo
from portal.practice.team import join_care_team


class PurchaseError(ValueError):
    """The purchase cannot be made or changed as asked; str() is the message for the person."""


@dataclass(frozen=True)
class Quote:
    """What she would pay, worked out on the server from the version and the code, never from the page."""

    version: PackageVersion
    list_price_minor: int
    discount_minor: int
    instalments: list[tuple[date, int]] = field(default_factory=list)  # (due on, amount)
    applied: promo.Applied | None = None

    @property
    def price_minor(self) -> int:
        return self.list_price_minor - self.discount_minor

    @property
    def due_now_minor(self) -> int:
        return self.instalments[0][1] if self.instalments else 0


def quote(version: PackageVersion, client: User, code_text: str, today: date) -> Quote:
    """The price of this version for her today, with the code if she typed one (PromoError if it does not
    apply). A plan whose discounted price is too small to split is paid in one go."""
    if version.status != VersionStatus.PUBLISHED:
        raise PurchaseError("This package is no longer on sale.")
    applied = None
    if code_text.strip():
        applied = promo.check(
            db.session.get_one(Package, version.package_id).practitioner_id,
            code_text,
            client,
            list_price_minor=version.price_minor,
            currency=version.currency,
            today=today,
            package_id=version.package_id,
        )
    discount = applied.discount_minor if applied else 0
    price = version.price_minor - discount
    parts = version.instalments if price >= version.instalments else 1
    plan = (
        list(
            zip(
                pricing.due_dates(today, parts, version.instalment_every_months),
                pricing.split(price, parts),
                strict=True,
            )
        )
        if price > 0
        else []
    )
    return Quote(version, version.price_minor, discount, plan, applied)


def _create(quote_: Quote, client: User, *, recorded_by: User | None, block_when_overdue: bool) -> PackagePurchase:
    version = quote_.version
    purchase = PackagePurchase(
        client_id=client.id,
        version_id=version.id,
        status=PurchaseStatus.PENDING.value,
        list_price_minor=quote_.list_price_minor,
        discount_minor=quote_.discount_minor,
        currency=version.currency,
        promo_code_id=quote_.applied.code.id if quote_.applied else None,
        block_booking_when_overdue=block_when_overdue,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(purchase)
    db.session.flush()
    db.session.add_all(
        PackageInstalment(purchase_id=purchase.id, client_id=client.id, number=n, due_on=due, amount_minor=amount)
        for n, (due, amount) in enumerate(quote_.instalments, start=1)
    )
    return purchase


def _redeem(quote_: Quote, client: User, purchase: PackagePurchase) -> None:
    """Count the code's use last, just before the commit, so the code's row is locked as briefly as can be."""
    if quote_.applied:
        promo.redeem(quote_.applied, client, purchase_id=purchase.id)


def _activate(purchase: PackagePurchase, now: datetime) -> None:
    """Give the purchase its credits and its validity, from now."""
    items = db.session.scalars(select(PackageItem).where(PackageItem.version_id == purchase.version_id)).all()
    version = db.session.get_one(PackageVersion, purchase.version_id)
    db.session.add_all(
        PackageCredit(purchase_id=purchase.id, client_id=purchase.client_id, service_id=item.service_id)
        for item in items
        for _ in range(item.sessions)
    )
    purchase.status = PurchaseStatus.ACTIVE.value
    purchase.activated_at = now
    purchase.valid_until = now + timedelta(days=version.valid_days)


# What records the payment of an instalment paid by other means than her card, in the purchase's transaction
# (payments.ledger.package_paid_by_hand: a payment row and its receipt). None: marked paid, with nothing in the books.
PaidBy = Callable[[PackageInstalment], None]


def record_purchase(
    quote_: Quote,
    client: User,
    actor: User,
    now: datetime,
    *,
    paid_by: PaidBy | None = None,
    block_when_overdue: bool = False,
) -> PackagePurchase:
    """The practitioner records a purchase paid by other means (cash, bank transfer): it is active at once,
    with its first instalment (or the whole price) paid, recorded by `paid_by`; later instalments fall due on their
    dates. She joins the package's practitioner's care team, as when she buys online."""
    purchase = _create(quote_, client, recorded_by=actor, block_when_overdue=block_when_overdue)
    join_care_team(db.session.get_one(Package, quote_.version.package_id).practitioner_id, client.id, actor.id)
    db.session.flush()
    first = db.session.scalar(
        select(PackageInstalment).where(PackageInstalment.purchase_id == purchase.id, PackageInstalment.number == 1)
    )
    if first is not None:
        _paid_by_hand(first, now, paid_by)
    _activate(purchase, now)
    _redeem(quote_, client, purchase)
    db.session.commit()
    return purchase


def record_instalment_paid(
    instalment: PackageInstalment, now: datetime, *, paid_by: PaidBy | None = None
) -> PackageInstalment:
    """The practice took a later instalment by other means than her card: paid, recorded by `paid_by`."""
    purchase = db.session.get_one(PackagePurchase, instalment.purchase_id)
    if instalment.status != InstalmentStatus.DUE or purchase.status != PurchaseStatus.ACTIVE:
        raise PurchaseError("That instalment is not due.")
    _paid_by_hand(instalment, now, paid_by)
    db.session.commit()
    return instalment


def _paid_by_hand(instalment: PackageInstalment, now: datetime, paid_by: PaidBy | None) -> None:
    paid = db.session.execute(
        update(PackageInstalment)
        .where(PackageInstalment.id == instalment.id, PackageInstalment.status == InstalmentStatus.DUE)
        .values(status=InstalmentStatus.PAID.value, paid_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(paid) != 1:  # paid by card a moment ago
        db.session.rollback()
        raise PurchaseError("That instalment is not due.")
    db.session.refresh(instalment)
    if paid_by is not None:
        paid_by(instalment)


# Buying online -------------------------------------------------------------------------------------------------


def buy_online(quote_: Quote, client: User, now: datetime, hold: timedelta) -> PackagePurchase:
    """She buys a package on the booking pages: a purchase waiting for its first payment by card, its code's use
    counted now and held for her until `hold` has passed (then `cancel_unpaid` gives it back). Nothing to pay (a
    code took everything off): active at once. Buying it puts her on the practitioner's care team, as a first
    booking does, so the practitioner sees who bought it."""
    if not quote_.version.online:
        raise PurchaseError("This package is not sold online. Please contact the practice.")
    purchase = _create(quote_, client, recorded_by=None, block_when_overdue=False)
    join_care_team(db.session.get_one(Package, quote_.version.package_id).practitioner_id, client.id)
    if quote_.price_minor == 0:
        _activate(purchase, now)
    else:
        purchase.hold_until = now + hold
    _redeem(quote_, client, purchase)
    db.session.commit()
    return purchase


def waiting_first_payment(client_id: int, version_id: int, now: datetime) -> PackageInstalment | None:
    """The first instalment of her purchase of this version that is still held for its payment, if she started
    one (she tapped "Buy" twice, or came back from the card page): she pays that one rather than buy twice."""
    return db.session.scalar(
        select(PackageInstalment)
        .join(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
        .where(
            PackagePurchase.client_id == client_id,
            PackagePurchase.version_id == version_id,
            PackagePurchase.status == PurchaseStatus.PENDING,
            PackagePurchase.hold_until > now,
            PackageInstalment.number == 1,
            PackageInstalment.status == InstalmentStatus.DUE,
        )
        .order_by(PackagePurchase.id.desc())
        .limit(1)
    )


def instalment_paid_by_card(instalment_id: int, now: datetime) -> bool:
    """Her card paid this instalment (payments.card.fulfil), in the caller's transaction: it is paid, and the first
    one starts a purchase waiting for it, with its credits and validity from now. False when it is no longer due
    (paid by other means meanwhile, or the purchase was cancelled or ended); then nothing is changed.

    The purchase's row is locked first, then its instalment: the order `cancel_unpaid` and `end_with_refund` keep,
    so a payment arriving while the purchase is cancelled or ended waits for it instead of deadlocking."""
    instalment = db.session.get(PackageInstalment, instalment_id)
    if instalment is None:
        return False
    purchase = _locked(instalment.purchase_id)
    if purchase.status not in (PurchaseStatus.PENDING, PurchaseStatus.ACTIVE):
        return False
    paid = db.session.execute(
        update(PackageInstalment)
        .where(PackageInstalment.id == instalment_id, PackageInstalment.status == InstalmentStatus.DUE)
        .values(status=InstalmentStatus.PAID.value, paid_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(paid) != 1:
        return False
    if purchase.status == PurchaseStatus.PENDING:
        _activate(purchase, now)
    return True


def _locked(purchase_id: int) -> PackagePurchase:
    """The purchase, read again and locked for the rest of the transaction (PostgreSQL; SQLite locks the file)."""
    return db.session.scalars(
        select(PackagePurchase)
        .where(PackagePurchase.id == purchase_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def cancel_unpaid(now: datetime) -> int:
    """Online purchases whose first payment did not come while they were held: cancelled, their instalments with
    them, and their code's use given back. `flask jobs run` calls it; returns how many."""
    stale = db.session.scalars(
        select(PackagePurchase.id).where(
            PackagePurchase.status == PurchaseStatus.PENDING, PackagePurchase.hold_until <= now
        )
    ).all()
    cancelled = 0
    for purchase_id in stale:
        gone = db.session.execute(
            update(PackagePurchase)
            .where(PackagePurchase.id == purchase_id, PackagePurchase.status == PurchaseStatus.PENDING)
            .values(status=PurchaseStatus.CANCELLED.value)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(gone) != 1:  # paid a moment ago
            db.session.rollback()
            continue
        db.session.execute(
            update(PackageInstalment)
            .where(PackageInstalment.purchase_id == purchase_id, PackageInstalment.status == InstalmentStatus.DUE)
            .values(status=InstalmentStatus.CANCELLED.value)
            .execution_options(synchronize_session=False)
        )
        promo.release(purchase_id=purchase_id)
        db.session.commit()
        cancelled += 1
    return cancelled


def set_blocking(purchase: PackagePurchase, block: bool) -> None:
    """Whether an overdue instalment of this plan stops her booking."""
    purchase.block_booking_when_overdue = block
    db.session.commit()


def paid_minor(purchase_id: int) -> int:
    return (
        db.session.scalar(
            select(func.sum(PackageInstalment.amount_minor)).where(
                PackageInstalment.purchase_id == purchase_id, PackageInstalment.status == InstalmentStatus.PAID
            )
        )
        or 0
    )


def overdue_instalments(today: date, client_id: int | None = None) -> list[PackageInstalment]:
    """Instalments due before today and not paid, oldest first."""
    query = select(PackageInstalment).where(
        PackageInstalment.status == InstalmentStatus.DUE, PackageInstalment.due_on < today
    )
    if client_id is not None:
        query = query.where(PackageInstalment.client_id == client_id)
    return list(db.session.scalars(query.order_by(PackageInstalment.due_on, PackageInstalment.id)))


def booking_blocked(client_id: int, today: date) -> bool:
    """True while one of her plans that the practitioner set to block booking has an overdue instalment."""
    return (
        db.session.scalar(
            select(PackageInstalment.id)
            .join(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
            .where(
                PackageInstalment.client_id == client_id,
                PackageInstalment.status == InstalmentStatus.DUE,
                PackageInstalment.due_on < today,
                PackagePurchase.block_booking_when_overdue.is_(True),
            )
            .limit(1)
        )
        is not None
    )


# Credits ------------------------------------------------------------------------------------------------------


def _usable(client_id: int, service_id: int, now: datetime):
    return (
        select(PackageCredit.id)
        .join(PackagePurchase, PackagePurchase.id == PackageCredit.purchase_id)
        .where(
            PackageCredit.client_id == client_id,
            PackageCredit.service_id == service_id,
            PackageCredit.booking_id.is_(None),
            PackageCredit.refunded_at.is_(None),
            PackagePurchase.status == PurchaseStatus.ACTIVE,
            PackagePurchase.valid_until > now,
        )
    )


def credits_left(client_id: int, service_id: int, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(_usable(client_id, service_id, now).subquery())) or 0


def spend_credit(booking: Booking, now: datetime) -> PackageCredit | None:
    """Put one of her free credits for this service on the booking, in the caller's transaction; the one
    expiring soonest goes first. None when she has none left (or the last went to another booking a moment ago).
    A booking that already holds a credit keeps that one."""
    held = credit_of(booking.id)
    if held is not None:
        return held
    candidates = db.session.scalars(
        _usable(booking.client_id, booking.service_id, now).order_by(PackagePurchase.valid_until, PackageCredit.id)
    ).all()
    for credit_id in candidates:
        taken = db.session.execute(
            update(PackageCredit)
            .where(
                PackageCredit.id == credit_id, PackageCredit.booking_id.is_(None), PackageCredit.refunded_at.is_(None)
            )
            .values(booking_id=booking.id, used_at=now)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(taken) == 1:
            return db.session.get_one(PackageCredit, credit_id, populate_existing=True)
    return None


def give_back_credit(booking: Booking) -> bool:
    """The booking's credit is free again (a cancellation inside the policy), in the caller's transaction; a
    credit refunded meanwhile stays gone. True when a credit came back."""
    returned = db.session.execute(
        update(PackageCredit)
        .where(PackageCredit.booking_id == booking.id, PackageCredit.refunded_at.is_(None))
        .values(booking_id=None, used_at=None)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(returned) == 1


def credit_of(booking_id: int) -> PackageCredit | None:
    return db.session.scalar(select(PackageCredit).where(PackageCredit.booking_id == booking_id))


@dataclass(frozen=True)
class ServiceCredits:
    service: Service
    total: int
    used: int
    left: int  # usable now


@dataclass(frozen=True)
class Holding:
    """One purchase as she sees it on her home page."""

    purchase: PackagePurchase
    name: str
    expired: bool
    services: list[ServiceCredits]
    paid_minor: int
    instalments: Sequence[PackageInstalment]


def holdings(client_id: int, now: datetime) -> list[Holding]:
    """Her active purchases, soonest expiring first, each with its sessions used and left and what she paid,
    in a fixed number of queries."""
    purchases = db.session.scalars(
        select(PackagePurchase)
        .where(PackagePurchase.client_id == client_id, PackagePurchase.status == PurchaseStatus.ACTIVE)
        .options(
            selectinload(PackagePurchase.version),
            selectinload(PackagePurchase.credits),
            selectinload(PackagePurchase.instalments),
        )
        .order_by(PackagePurchase.valid_until, PackagePurchase.id)
    ).all()
    service_ids = {c.service_id for p in purchases for c in p.credits}
    services = {s.id: s for s in db.session.scalars(select(Service).where(Service.id.in_(service_ids)))}
    result = []
    for purchase in purchases:
        assert purchase.valid_until is not None
        expired = purchase.valid_until <= now
        by_service: dict[int, list[PackageCredit]] = {}
        for credit in purchase.credits:
            if credit.refunded_at is None:
                by_service.setdefault(credit.service_id, []).append(credit)
        rows = [
            ServiceCredits(
                services[sid],
                total=len(credits),
                used=sum(1 for c in credits if c.booking_id is not None),
                left=0 if expired else sum(1 for c in credits if c.booking_id is None),
            )
            for sid, credits in sorted(by_service.items(), key=lambda item: services[item[0]].name)
        ]
        paid = sum(i.amount_minor for i in purchase.instalments if i.status == InstalmentStatus.PAID)
        result.append(Holding(purchase, purchase.version.name, expired, rows, paid, purchase.instalments))
    return result


# Ending a purchase early --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ending:
    refund_minor: int
    credits_refunded: int
    instalments_cancelled: int


def end_with_refund(purchase: PackagePurchase, *, full: bool, now: datetime) -> Ending:
    """End a purchase early: its free credits disappear and its instalments still due are cancelled. In part,
    what goes back is what was paid less the used sessions' share of the price; in full, all that was paid.
    Never more than is left of what was paid. The caller sends the money back (card or by hand) and commits."""
    purchase = _locked(purchase.id)  # before its instalments, as instalment_paid_by_card does
    if purchase.status != PurchaseStatus.ACTIVE:
        raise PurchaseError("Only an active package can be refunded.")
    credits = db.session.scalars(
        select(PackageCredit).where(PackageCredit.purchase_id == purchase.id).with_for_update()
    ).all()
    live = [c for c in credits if c.refunded_at is None]
    used = sum(1 for c in live if c.booking_id is not None)
    paid = paid_minor(purchase.id)
    amount = (
        max(0, paid - purchase.refunded_minor)
        if full
        else pricing.refund_for_unused(purchase.price_minor, paid, len(live), used, purchase.refunded_minor)
        if live
        else 0
    )
    freed = [c for c in live if c.booking_id is None]
    for credit in freed:
        credit.refunded_at = now
    cancelled = db.session.execute(
        update(PackageInstalment)
        .where(PackageInstalment.purchase_id == purchase.id, PackageInstalment.status == InstalmentStatus.DUE)
        .values(status=InstalmentStatus.CANCELLED.value)
        .execution_options(synchronize_session=False)
    )
    purchase.refunded_minor += amount
    purchase.status = PurchaseStatus.REFUNDED.value
    return Ending(amount, len(freed), affected_rows(cancelled))


@dataclass(frozen=True)
class CreditOffer:
    """What booking a service would use: one of `left` credits, the next from the package `name`."""

    name: str
    left: int


def credit_offer(client_id: int, service_id: int, now: datetime) -> CreditOffer | None:
    """Her free credits for the service and the package the next one comes from; None when she has none."""
    rows = db.session.execute(
        select(PackageVersion.name)
        .select_from(PackageCredit)
        .join(PackagePurchase, PackagePurchase.id == PackageCredit.purchase_id)
        .join(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
        .where(PackageCredit.id.in_(_usable(client_id, service_id, now)))
        .order_by(PackagePurchase.valid_until, PackageCredit.id)
    ).all()
    return CreditOffer(rows[0].name, len(rows)) if rows else None


@dataclass(frozen=True)
class OverduePlan:
    client_id: int
    client_name: str
    package_name: str
    number: int
    amount_minor: int
    currency: str
    due_on: date


def overdue_plans(today: date, scope, limit: int = 10) -> tuple[list[OverduePlan], int]:
    """The oldest overdue instalments of active plans of the clients `scope` (access.visible_clients) lets her
    see, at most `limit` of them, and how many there are in all: two queries."""
    where = (
        PackageInstalment.status == InstalmentStatus.DUE,
        PackageInstalment.due_on < today,
        PackagePurchase.status == PurchaseStatus.ACTIVE,
        scope(PackageInstalment.client_id),
    )
    base = select(PackageInstalment).join(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
    total = db.session.scalar(select(func.count()).select_from(base.where(*where).subquery())) or 0
    rows = db.session.execute(
        select(
            PackageInstalment.client_id,
            User.name,
            PackageVersion.name.label("package"),
            PackageInstalment.number,
            PackageInstalment.amount_minor,
            PackagePurchase.currency,
            PackageInstalment.due_on,
        )
        .join(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
        .join(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
        .join(User, User.id == PackageInstalment.client_id)
        .where(*where)
        .order_by(PackageInstalment.due_on, PackageInstalment.id)
        .limit(limit)
    ).all()
    return [OverduePlan(*row) for row in rows], total


class NoCreditLeft(PurchaseError):
    """Booking on a credit, and none is left for the service."""


def paid_with_credit(now: datetime) -> Callable[[Booking], None]:
    """Booking for a client "with a package credit": each session booked spends one of her credits for its
    service, in the booking's transaction (booking.lifecycle.book_for_client's `paid_by`); when none is left,
    everything is rolled back and NoCreditLeft says so."""

    def pay(booking: Booking) -> None:
        if spend_credit(booking, now) is None:
            db.session.rollback()
            raise NoCreditLeft("She has no package session left for this service (or not enough for the series).")

    return pay
