"""The practice's books: payments recorded by hand, and the lists and totals of what was received.

Card payments are in card.py, refunds in refunds.py, the CSV export in export.py.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.inputs import iso_day
from portal.models import (
    Booking,
    BookingStatus,
    Package,
    PackageCredit,
    PackageInstalment,
    PackagePurchase,
    PackageVersion,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PromoCode,
    PromoRedemption,
    RefundStatus,
    Service,
    User,
)
from portal.payments import receipts


class PaymentError(Exception):
    """Something about a payment or refund that can't be done; str() is the message for the person."""


def record_manual_payment(
    booking: Booking, amount_minor: int, method: PaymentMethod, note: str, actor: User
) -> Payment:
    """A payment taken by other means than a card, committed."""
    payment = add_manual_payment(booking, amount_minor, method, note, actor)
    db.session.commit()
    return payment


def add_manual_payment(booking: Booking, amount_minor: int, method: PaymentMethod, note: str, actor: User) -> Payment:
    """A payment taken by other means than a card, in the caller's transaction."""
    if method == PaymentMethod.CARD:
        raise PaymentError("Card payments are taken online; record cash, bank transfer or other.")
    if amount_minor <= 0:
        raise PaymentError("Enter an amount above 0.")
    payment = Payment(
        booking_id=booking.id,
        client_id=booking.client_id,
        method=method.value,
        status=PaymentStatus.SUCCEEDED.value,
        amount_minor=amount_minor,
        currency=booking.currency,
        note=note[:300],
        recorded_by_id=actor.id,
        succeeded_at=utcnow(),
    )
    db.session.add(payment)
    db.session.flush()  # its id, for the receipt's number and link
    receipts.queue_receipt(payment)
    return payment


def paid_now(method: PaymentMethod, note: str, actor: User) -> Callable[[Booking], None]:
    """Booking for a client, "paid now": each session booked gets its full price recorded as paid by `method`,
    in the booking's transaction (booking.lifecycle.book_for_client's `paid_by`)."""

    def pay(booking: Booking) -> None:
        add_manual_payment(booking, booking.price_minor, method, note, actor)

    return pay


def package_paid_by_hand(method: PaymentMethod, note: str, actor: User) -> Callable[[PackageInstalment], None]:
    """A package instalment taken by other means than her card (packages.purchases.record_purchase's and
    record_instalment_paid's `paid_by`): its payment, by `method`, and her receipt, in the purchase's transaction."""
    if method == PaymentMethod.CARD:
        raise PaymentError("Card payments are taken online; record cash, bank transfer or other.")

    def pay(instalment: PackageInstalment) -> None:
        purchase = db.session.get_one(PackagePurchase, instalment.purchase_id)
        payment = Payment(
            instalment_id=instalment.id,
            client_id=instalment.client_id,
            method=method.value,
            status=PaymentStatus.SUCCEEDED.value,
            amount_minor=instalment.amount_minor,
            currency=purchase.currency,
            note=note[:300],
            recorded_by_id=actor.id,
            succeeded_at=instalment.paid_at or utcnow(),
        )
        db.session.add(payment)
        db.session.flush()  # its id, for the receipt's number and link
        receipts.queue_receipt(payment)

    return pay


# Reading ---------------------------------------------------------------------------------------------------


def payments_for_booking(booking_id: int) -> list[Payment]:
    return list(
        db.session.execute(
            db.select(Payment)
            .filter_by(booking_id=booking_id)
            .options(selectinload(Payment.refunds))
            .order_by(Payment.id)
        ).scalars()
    )


def client_payments(client_id: int) -> list[Payment]:
    return list(
        db.session.execute(
            db.select(Payment)
            .filter(Payment.client_id == client_id, Payment.status == PaymentStatus.SUCCEEDED)
            .options(selectinload(Payment.refunds), *receipts.PAID_FOR_OPTIONS)
            .order_by(Payment.succeeded_at.desc())
        ).scalars()
    )


@dataclass
class MonthTotal:
    month: date
    currency: str
    received_minor: int = 0
    refunded_minor: int = 0

    @property
    def net_minor(self) -> int:
        return self.received_minor - self.refunded_minor


@dataclass(frozen=True)
class Period:
    """The days a list of payments covers, both ends included, as chosen on the payments page (None: open)."""

    first: date | None = None
    last: date | None = None

    @property
    def link_args(self) -> dict[str, str]:
        """The period as a link's ?from=&to= (the open ends left out)."""
        ends = {"from": self.first, "to": self.last}
        return {name: day.isoformat() for name, day in ends.items() if day is not None}

    def bounds(self, tz: str) -> tuple[datetime | None, datetime | None]:
        """[from, until) in UTC: midnight at the start of `first` and after `last`, in zone `tz`."""
        zone = ZoneInfo(tz)

        def midnight(day: date | None) -> datetime | None:
            return None if day is None else datetime.combine(day, time(0), zone).astimezone(UTC)

        return midnight(self.first), midnight(self.last + timedelta(days=1) if self.last else None)


def read_period(raw_from: str | None, raw_to: str | None) -> tuple[Period, dict[str, str]]:
    """The period asked for (?from=2026-01-01&to=2026-03-31; either may be left out), and a message per bad field."""
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        text = (raw or "")[:40].strip()
        days[name] = iso_day(text) if text else None
        if text and days[name] is None:
            problems[name] = "Enter a date between 1900 and 2100, written like 2026-03-31."
    first, last = days["from"], days["to"]
    if first and last and first > last:
        problems["to"] = "The end date is before the start date."
    return (Period() if problems else Period(first, last)), problems


def _hers(practitioner_id: int | None, query: Select) -> Select:
    """Payments for her sessions or her packages (None: anyone's), on a query joined as `_scoped` joins it."""
    if practitioner_id is None:
        return query
    return query.filter(or_(Booking.practitioner_id == practitioner_id, Package.practitioner_id == practitioner_id))


def _scoped(query: Select) -> Select:
    """A query of payments joined to what they paid for: the session, or the package through its plan."""
    return (
        query.outerjoin(Booking, Booking.id == Payment.booking_id)
        .outerjoin(PackageInstalment, PackageInstalment.id == Payment.instalment_id)
        .outerjoin(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
        .outerjoin(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
        .outerjoin(Package, Package.id == PackageVersion.package_id)
    )


def practice_payments(practitioner_id: int | None, period: Period = Period(), tz: str = "UTC") -> list[Payment]:
    """Every payment received for her sessions and her packages (None: the whole practice's) in the period (its
    days in zone `tz`), newest first, with client, refunds and what each was for (receipts.paid_for)."""
    query = _hers(practitioner_id, _scoped(db.select(Payment)).filter(Payment.status == PaymentStatus.SUCCEEDED))
    since, until = period.bounds(tz)
    if since is not None:
        query = query.filter(Payment.succeeded_at >= since)
    if until is not None:
        query = query.filter(Payment.succeeded_at < until)
    return list(
        db.session.execute(
            query.options(
                selectinload(Payment.refunds), selectinload(Payment.client), *receipts.PAID_FOR_OPTIONS
            ).order_by(Payment.succeeded_at.desc(), Payment.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class PaymentLine:
    """A payment as the payments page and the CSV show it: what it was for, and the code used, if one was."""

    payment: Payment
    paid_for: receipts.PaidFor
    promo_code: str = ""
    discount_minor: int = 0


def payment_lines(payments: list[Payment]) -> list[PaymentLine]:
    """The payments (loaded as practice_payments loads them) with what each was for and its promo code, in one
    more query. A code's discount is shown once: on the first payment of the session, or of the package's first
    instalment (the purchase's discount), wherever that payment falls."""
    booking_ids = {p.booking_id for p in payments if p.booking_id is not None}
    purchase_ids = {p.instalment.purchase_id for p in payments if p.instalment is not None}
    uses: dict[int, tuple[str, int]] = {}
    if booking_ids or purchase_ids:
        first_of_session = (
            select(func.min(Payment.id))
            .where(Payment.booking_id == PromoRedemption.booking_id, Payment.status == PaymentStatus.SUCCEEDED)
            .correlate(PromoRedemption)
            .scalar_subquery()
        )
        first_of_package = (
            select(func.min(Payment.id))
            .join(PackageInstalment, PackageInstalment.id == Payment.instalment_id)
            .where(
                PackageInstalment.purchase_id == PromoRedemption.purchase_id,
                PackageInstalment.number == 1,
                Payment.status == PaymentStatus.SUCCEEDED,
            )
            .correlate(PromoRedemption)
            .scalar_subquery()
        )
        rows = db.session.execute(
            select(func.coalesce(first_of_session, first_of_package), PromoCode.code, PromoRedemption.discount_minor)
            .join(PromoCode, PromoCode.id == PromoRedemption.code_id)
            .where(or_(PromoRedemption.booking_id.in_(booking_ids), PromoRedemption.purchase_id.in_(purchase_ids)))
        ).all()
        uses = {payment_id: (code, discount) for payment_id, code, discount in rows if payment_id is not None}
    return [PaymentLine(p, receipts.paid_for(p), *uses.get(p.id, ("", 0))) for p in payments]


def monthly_totals(payments: list[Payment], tz: str) -> list[MonthTotal]:
    """Money in and refunds out per calendar month (in her zone) and currency, newest month first."""
    zone, totals = ZoneInfo(tz), OrderedDict[tuple[date, str], MonthTotal]()

    def bucket(when: datetime, currency: str) -> MonthTotal:
        month = when.astimezone(zone).date().replace(day=1)
        return totals.setdefault((month, currency), MonthTotal(month, currency))

    for payment in payments:
        assert payment.succeeded_at is not None  # received payments
        bucket(payment.succeeded_at, payment.currency).received_minor += payment.amount_minor
        for refund in payment.refunds:
            if refund.status != RefundStatus.FAILED:
                bucket(refund.created_at, payment.currency).refunded_minor += refund.amount_minor
    return sorted(totals.values(), key=lambda total: (total.month, total.currency), reverse=True)


@dataclass
class ReportLine:
    """Money in and out in one month for one service's sessions or one package."""

    kind: str  # "session" or "package"
    name: str
    currency: str
    received_minor: int = 0
    refunded_minor: int = 0

    @property
    def net_minor(self) -> int:
        return self.received_minor - self.refunded_minor


@dataclass
class ReportMonth:
    month: date
    lines: list[ReportLine]


def monthly_report(payments: list[Payment], tz: str) -> list[ReportMonth]:
    """monthly_totals() split by what was paid for: per calendar month (her zone), newest first, a line per
    service and per package (sessions first, then packages, by name). A refund counts in the month it was made.
    The payments are loaded as practice_payments loads them."""
    zone = ZoneInfo(tz)
    months: dict[date, dict[tuple[str, int, str], ReportLine]] = {}

    def line(when: datetime, payment: Payment) -> ReportLine:
        month = when.astimezone(zone).date().replace(day=1)
        if payment.instalment is not None:
            version = payment.instalment.purchase.version
            key, name = ("package", version.package_id, payment.currency), version.name
        else:
            assert payment.booking is not None  # pays_one_thing
            key, name = ("session", payment.booking.service_id, payment.currency), payment.booking.service.name
        lines = months.setdefault(month, {})
        return lines.setdefault(key, ReportLine(key[0], name, payment.currency))  # the newest payment's name

    for payment in payments:
        assert payment.succeeded_at is not None  # received payments
        line(payment.succeeded_at, payment).received_minor += payment.amount_minor
        for refund in payment.refunds:
            if refund.status != RefundStatus.FAILED:
                line(refund.created_at, payment).refunded_minor += refund.amount_minor
    order = lambda line: (line.kind != "session", line.name.casefold(), line.currency)  # noqa: E731
    return [
        ReportMonth(month, sorted(lines.values(), key=order)) for month, lines in sorted(months.items(), reverse=True)
    ]


@dataclass(frozen=True)
class CreditSessions:
    package: str
    service: str
    sessions: int


def sessions_on_credits(
    practitioner_id: int | None, period: Period = Period(), tz: str = "UTC"
) -> list[CreditSessions]:
    """How many sessions (confirmed or completed, starting in the period) were taken on package credits, per
    package (by the name of the version bought) and service, for her sessions or packages (None: everyone's)."""
    query = (
        select(PackageVersion.name, Service.name, func.count(Booking.id))
        .select_from(PackageCredit)
        .join(Booking, Booking.id == PackageCredit.booking_id)
        .join(Service, Service.id == Booking.service_id)
        .join(PackagePurchase, PackagePurchase.id == PackageCredit.purchase_id)
        .join(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
        .join(Package, Package.id == PackageVersion.package_id)
        .filter(Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]))
    )
    if practitioner_id is not None:
        query = query.filter(
            or_(Booking.practitioner_id == practitioner_id, Package.practitioner_id == practitioner_id)
        )
    since, until = period.bounds(tz)
    if since is not None:
        query = query.filter(Booking.starts_at >= since)
    if until is not None:
        query = query.filter(Booking.starts_at < until)
    rows = db.session.execute(
        query.group_by(Package.id, PackageVersion.name, Service.id, Service.name).order_by(
            PackageVersion.name, Service.name, Package.id, Service.id
        )
    ).all()
    return [CreditSessions(package, service, int(count)) for package, service, count in rows]


@dataclass(frozen=True)
class StillToPay:
    booking: Booking
    paid_minor: int  # succeeded payments less their refunds

    @property
    def due_minor(self) -> int:
        return self.booking.price_minor - self.paid_minor


def still_to_pay(practitioner_id: int | None, limit: int = 50) -> tuple[list[StillToPay], int]:
    """Sessions confirmed or completed, with a price, not on a package credit, whose payments (net of refunds)
    fall short of the price: the oldest `limit` of them with client and service, and how many there are."""
    paid = (
        db.select(Payment.booking_id, db.func.sum(Payment.amount_minor - Payment.refunded_minor).label("paid"))
        .filter(Payment.status == PaymentStatus.SUCCEEDED, Payment.booking_id.is_not(None))  # not packages
        .group_by(Payment.booking_id)
        .subquery()
    )
    paid_minor = db.func.coalesce(paid.c.paid, 0)
    query = (
        db.select(Booking, paid_minor)
        .outerjoin(paid, paid.c.booking_id == Booking.id)
        .filter(
            Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]),
            Booking.price_minor > 0,
            paid_minor < Booking.price_minor,
            ~db.exists().where(PackageCredit.booking_id == Booking.id),
        )
    )
    if practitioner_id is not None:
        query = query.filter(Booking.practitioner_id == practitioner_id)
    count = db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.options(selectinload(Booking.client), selectinload(Booking.service))
        .order_by(Booking.starts_at, Booking.id)
        .limit(limit)
    ).all()
    return [StillToPay(booking, int(paid)) for booking, paid in rows], count
