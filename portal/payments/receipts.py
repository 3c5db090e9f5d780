"""Receipts: e-mailed after each payment (queued in the transaction that makes the payment succeeded) and
downloadable as a PDF with the practice's details. Rendered on demand from the payment and its refunds, so a
download always shows what has been refunded since."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.handouts import rendering
from portal.handouts.handouts import STYLESHEET
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import Booking, Payment, PaymentStatus, RefundStatus, Service, User
from portal.money import format_money
from portal.practice.details import practice
from portal.timeutil import local_datetime

METHOD_LABELS = {"card": "Card", "cash": "Cash", "bank_transfer": "Bank transfer", "other": "Other"}
REFUND_STATES = {RefundStatus.PENDING: "on its way", RefundStatus.SUCCEEDED: "refunded", RefundStatus.FAILED: "failed"}


def receipt_number(payment: Payment) -> str:
    return f"{payment.id:06d}"


def filename(payment: Payment) -> str:
    return f"receipt-{receipt_number(payment)}.pdf"


def load_paid(payment_id: int) -> Payment | None:
    """A succeeded payment with what its receipt shows (booking, service, client, refunds), in one go."""
    return db.session.execute(
        db.select(Payment)
        .filter(Payment.id == payment_id, Payment.status == PaymentStatus.SUCCEEDED)
        .options(
            selectinload(Payment.refunds),
            selectinload(Payment.client),
            selectinload(Payment.booking).selectinload(Booking.service),
        )
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
        "service": payment.booking.service.name,
        "session": local_datetime(payment.booking.starts_at, tz, "EEEE d MMMM y, HH:mm"),
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
    if payment.booking_id is None:  # TEMPORARY until the ledger branch lands: package receipts
        return
    client = db.session.get_one(User, payment.client_id)
    booking = db.session.get_one(Booking, payment.booking_id)
    service = db.session.get_one(Service, booking.service_id)
    send_mail(
        client.email,
        f"Your receipt for {format_money(payment.amount_minor, payment.currency)}",
        "payment_receipt",
        recipient=client,
        amount=format_money(payment.amount_minor, payment.currency),
        method=METHOD_LABELS.get(payment.method, "Other"),
        service=service.name,
        session=local_datetime(booking.starts_at, client.timezone, "EEEE d MMMM y, HH:mm"),
        paid_on=local_datetime(payment.succeeded_at or booking.created_at, client.timezone, "d MMMM y, HH:mm"),
        number=receipt_number(payment),
        link=absolute_url("payments.receipt", payment_id=payment.id),
        pdf_link=absolute_url("payments.receipt_pdf", payment_id=payment.id),
    )
