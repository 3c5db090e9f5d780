"""Receipts: e-mailed after each payment (queued in the transaction that makes the payment succeeded) and
downloadable as a PDF with the practice's details. Rendered on demand from the payment and its refunds, so a
download always shows what has been refunded since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import rendering
from portal.handouts.handouts import STYLESHEET
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import (
    Booking,
    PackageInstalment,
    PackagePurchase,
    PackageVersion,
    Payment,
    PaymentStatus,
    RefundStatus,
    Service,
    User,
)
from portal.money import format_money
from portal.practice.details import practice
from portal.timeutil import local_datetime

METHOD_LABELS = {"card": "Card", "cash": "Cash", "bank_transfer": "Bank transfer", "other": "Other"}
REFUND_STATES = {RefundStatus.PENDING: "on its way", RefundStatus.SUCCEEDED: "refunded", RefundStatus.FAILED: "failed"}


@dataclass(frozen=True)
class PaidFor:
    """What a payment was for: a session of a service, or one payment of a package's plan."""

    name: str  # the service's, or the package's as she bought it
    starts_at: datetime | None = None  # the session's start (a session)
    part: int = 0  # which payment of the plan, from 1 (a package)
    parts: int = 0  # of how many: 1 when paid in one go

    @property
    def is_package(self) -> bool:
        return self.part > 0

    @property
    def kind(self) -> str:
        return "package" if self.is_package else "session"

    @property
    def plan(self) -> str:
        """'1 of 3' for a payment of a plan; '' for a package paid in one go, or a session."""
        return f"{self.part} of {self.parts}" if self.parts > 1 else ""

    def words(self, tz: str) -> str:
        """'Follow-up, Monday 5 January 2026, 10:00', '3-month gut reset, payment 1 of 3', '3-month gut reset'."""
        if self.starts_at is not None:
            return f"{self.name}, {local_datetime(self.starts_at, tz, 'EEEE d MMMM y, HH:mm')}"
        return f"{self.name}, payment {self.plan}" if self.plan else self.name


def paid_for(payment: Payment) -> PaidFor:
    """What a payment loaded with its booking and service, or its instalment, purchase, version and the
    purchase's instalments (see PAID_FOR_OPTIONS), was for."""
    if payment.instalment_id is None:
        assert payment.booking is not None  # pays_one_thing: a session, then
        return PaidFor(payment.booking.service.name, starts_at=payment.booking.starts_at)
    assert payment.instalment is not None
    purchase = payment.instalment.purchase
    return PaidFor(purchase.version.name, part=payment.instalment.number, parts=len(purchase.instalments))


# What paid_for() reads, loaded in a fixed number of queries whatever the number of payments.
PAID_FOR_OPTIONS = (
    selectinload(Payment.booking).selectinload(Booking.service),
    selectinload(Payment.instalment)
    .selectinload(PackageInstalment.purchase)
    .options(selectinload(PackagePurchase.version), selectinload(PackagePurchase.instalments)),
)


def _paid_for_by_id(payment: Payment) -> PaidFor:
    """paid_for() for a payment just made, whatever of it is loaded: by its ids, in one query."""
    if payment.instalment_id is None:
        name, starts_at = db.session.execute(
            select(Service.name, Booking.starts_at)
            .join(Booking, Booking.service_id == Service.id)
            .where(Booking.id == payment.booking_id)
        ).one()
        return PaidFor(name, starts_at=starts_at)
    parts = (
        select(func.count(PackageInstalment.id))
        .where(PackageInstalment.purchase_id == PackagePurchase.id)
        .correlate(PackagePurchase)
        .scalar_subquery()
    )
    name, number, count = db.session.execute(
        select(PackageVersion.name, PackageInstalment.number, parts)
        .join(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
        .join(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
        .where(PackageInstalment.id == payment.instalment_id)
    ).one()
    return PaidFor(name, part=number, parts=count)


def receipt_number(payment: Payment) -> str:
    return f"{payment.id:06d}"


def filename(payment: Payment) -> str:
    return f"receipt-{receipt_number(payment)}.pdf"


def load_paid(payment_id: int) -> Payment | None:
    """A succeeded payment with what its receipt shows (what it was for, client, refunds), in one go."""
    return db.session.execute(
        db.select(Payment)
        .filter(Payment.id == payment_id, Payment.status == PaymentStatus.SUCCEEDED)
        .options(selectinload(Payment.refunds), selectinload(Payment.client), *PAID_FOR_OPTIONS)
    ).scalar_one_or_none()


def receipt_lines(payment: Payment, tz: str) -> dict:
    """What a receipt says, in words, with times in zone `tz` (the client's)."""
    assert payment.succeeded_at is not None  # only succeeded payments have receipts
    money = lambda minor: format_money(minor, payment.currency)  # noqa: E731
    refunds = [
        {
            "amount": money(refund.amount_minor),
            "date": local_datetime(refund.created_at, tz, "d MMMM y"),
            "state": REFUND_STATES[RefundStatus(refund.status)],
        }
        for refund in payment.refunds
    ]
    return {
        "number": receipt_number(payment),
        "client_name": payment.client.name,
        "paid_for": paid_for(payment).words(tz),
        "method": METHOD_LABELS.get(payment.method, "Other"),
        "amount": money(payment.amount_minor),
        "paid_on": local_datetime(payment.succeeded_at, tz, "d MMMM y, HH:mm"),
        "zone": tz.replace("_", " "),
        "refunded": money(payment.refunded_minor) if payment.refunded_minor else "",
        "net": money(payment.amount_minor - payment.refunded_minor),
        "refunds": refunds,
    }


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt as a PDF: the practice's name, address, contact and registration details, and the payment."""
    html = render_template(
        "pdf/receipt.html",
        practice=practice(),
        receipt=receipt_lines(payment, payment.client.timezone),
        stylesheet_href=rendering.STATIC_PREFIX + STYLESHEET,
    )
    assert current_app.static_folder is not None  # create_app() serves static/
    return rendering.render_pdf(html, rendering.PortalURLFetcher(current_app.static_folder))


def queue_receipt(payment: Payment) -> None:
    """E-mail her the receipt, in the caller's transaction (the one that made the payment succeeded)."""
    client = db.session.get_one(User, payment.client_id)
    send_mail(
        client.email,
        f"Your receipt for {format_money(payment.amount_minor, payment.currency)}",
        "payment_receipt",
        recipient=client,
        amount=format_money(payment.amount_minor, payment.currency),
        method=METHOD_LABELS.get(payment.method, "Other"),
        paid_for=_paid_for_by_id(payment).words(client.timezone),
        paid_on=local_datetime(payment.succeeded_at or utcnow(), client.timezone, "d MMMM y, HH:mm"),
        number=receipt_number(payment),
        link=absolute_url("payments.receipt", payment_id=payment.id),
        pdf_link=absolute_url("payments.receipt_pdf", payment_id=payment.id),
    )
