"""Payment pages: paying for a booking, its status, receipts, Stripe's webhook, and the practitioner's
payments, refunds and CSV export."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.access import (
    client_required,
    get_booking_or_404,
    get_client_or_404,
    get_own_or_404,
    sees_every_client,
    staff_required,
)
from portal.booking import bookings
from portal.booking.views import practitioner_booking_page, team_booking_or_404
from portal.errors import PlainBadRequest
from portal.extensions import csrf, db
from portal.links import absolute_url
from portal.models import Booking, BookingStatus, Payment, PaymentMethod
from portal.money import parse_money
from portal.payments import card, gateway, ledger, receipts, refunds
from portal.payments.export import payments_csv
from portal.payments.forms import ManualPaymentForm, RefundForm, TestCardForm
from portal.payments.ledger import PaymentError
from portal.security import card_page

bp = Blueprint("payments", __name__)


# The client pays ---------------------------------------------------------------------------------------------


def _client_booking_or_404(booking_id: int) -> Booking:
    get_own_or_404(Booking, booking_id, "client_id")
    booking = bookings.booking_with_history(booking_id)
    assert booking is not None  # get_own_or_404 found it
    return booking


@bp.get("/me/bookings/<int:booking_id>/pay")
@client_required
def pay(booking_id: int):
    booking = _client_booking_or_404(booking_id)
    if booking.status != BookingStatus.PENDING_PAYMENT:
        return redirect(url_for("payments.payment_status", booking_id=booking.id))
    try:
        payment = card.card_payment_for(booking)
    except (PaymentError, gateway.GatewayError) as error:
        flash(str(error), "error")
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    test_cards = current_app.config["STRIPE_TEST_CARDS"]
    html = render_template(
        "payments/pay.html",
        booking=booking,
        payment=payment,
        test_cards=test_cards,
        form=TestCardForm(),
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        return_url=absolute_url("payments.payment_status", booking_id=booking.id),
    )
    return card_page(html, test_cards)


@bp.post("/me/bookings/<int:booking_id>/pay/test-card")
@client_required
def pay_with_test_card(booking_id: int):
    if not current_app.config["STRIPE_TEST_CARDS"]:
        abort(404)
    booking = _client_booking_or_404(booking_id)
    return charge_test_card(
        lambda: card.card_payment_for(booking),
        url_for("payments.pay", booking_id=booking.id),
        url_for("payments.payment_status", booking_id=booking.id),
    )


def charge_test_card(payment_for: Callable[[], Payment], pay_url: str, status_url: str):
    """The offline demo's and the tests' card form, for a session or a package instalment: the chosen test card
    pays `payment_for()`; a decline (or a bad choice) goes back to the pay page with its message."""
    form = TestCardForm()
    if not form.validate_on_submit():
        flash("Choose one of the test cards.", "error")
        return redirect(pay_url)
    try:
        card.pay_with_test_card(payment_for(), form.card.data)
    except (PaymentError, gateway.GatewayError) as error:
        flash(str(error), "error")
        return redirect(pay_url)
    return redirect(status_url)


@bp.get("/me/bookings/<int:booking_id>/payment")
@client_required
def payment_status(booking_id: int):
    """Where Stripe sends her back: shows what the portal knows, and refreshes until the webhook lands."""
    booking = _client_booking_or_404(booking_id)
    history = ledger.payments_for_booking(booking.id)
    latest = history[-1] if history else None
    return render_template(
        "payments/status.html",
        booking=booking,
        payment=latest,
        waiting=booking.status == BookingStatus.PENDING_PAYMENT and not (latest and latest.failure_message),
    )


@bp.get("/me/payments/")
@client_required
def my_payments():
    paid = ledger.client_payments(current_user.id)
    return render_template("payments/mine.html", payments=[(p, receipts.paid_for(p)) for p in paid])


@bp.get("/me/payments/<int:payment_id>")
@client_required
def receipt(payment_id: int):
    get_own_or_404(Payment, payment_id, "client_id")
    payment = next((p for p in ledger.client_payments(current_user.id) if p.id == payment_id), None) or abort(404)
    return render_template("payments/receipt.html", payment=payment, paid_for=receipts.paid_for(payment))


def _pdf_response(payment: Payment) -> Response:
    response = Response(receipts.receipt_pdf(payment), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{receipts.filename(payment)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/me/payments/<int:payment_id>/receipt.pdf")
@client_required
def receipt_pdf(payment_id: int):
    get_own_or_404(Payment, payment_id, "client_id")
    return _pdf_response(receipts.load_paid(payment_id) or abort(404))


# Stripe's webhook ----------------------------------------------------------------------------------------------


@bp.post("/stripe/webhook")
def stripe_webhook():
    if not gateway.enabled():
        abort(404)
    try:
        event = gateway.verified_event(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except ValueError:
        return {"error": "The signature is missing, wrong or too old."}, 400
    return {"received": True, "result": card.handle_event(event)}


csrf.exempt(stripe_webhook)  # Stripe signs its requests instead


# The practitioner's payments ----------------------------------------------------------------------------------


@bp.get("/practitioner/payments")
@staff_required
def practice_payments():
    # The owner and the assistant keep the practice's books; a practitioner sees her own sessions' payments.
    whose = None if sees_every_client() else current_user.id
    period, problems = ledger.read_period(request.args.get("from"), request.args.get("to"))
    csv_wanted = request.args.get("format") == "csv"
    if problems and csv_wanted:
        raise PlainBadRequest("The dates of that export are not ones we can read: " + " ".join(problems.values()))
    received = [] if problems else ledger.practice_payments(whose, period, current_user.timezone)
    lines = ledger.payment_lines(received)
    if csv_wanted:
        return Response(
            payments_csv(lines),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="payments.csv"'},
        )
    owed, owed_count = ledger.still_to_pay(whose)
    page = render_template(
        "payments/practice.html",
        lines=lines,
        totals=ledger.monthly_totals(received, current_user.timezone),
        report=ledger.monthly_report(received, current_user.timezone),
        on_credits=[] if problems else ledger.sessions_on_credits(whose, period, current_user.timezone),
        period=period,
        problems=problems,
        typed={name: (request.args.get(name) or "")[:40] for name in ("from", "to")},
        owed=owed,
        owed_count=owed_count,
    )
    return page, 400 if problems else 200


def _her_payment(payment_id: int) -> Payment:
    """A payment for the practice's team of her session (get_booking_or_404 decides), or of a package payment,
    of the client (get_client_or_404: her care team, the owner, the assistant); else 404."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    if payment.booking_id is not None:
        get_booking_or_404(payment.booking_id)
    else:
        get_client_or_404(payment.client_id)
    return payment


@bp.get("/practitioner/payments/<int:payment_id>/receipt.pdf")
@staff_required
def practice_receipt_pdf(payment_id: int):
    """A client's receipt, for those of the practice's team who may see the payment (_her_payment decides)."""
    _her_payment(payment_id)
    return _pdf_response(receipts.load_paid(payment_id) or abort(404))


@bp.post("/practitioner/payments/<int:payment_id>/refund")
@staff_required
def refund(payment_id: int):
    payment = _her_payment(payment_id)
    form = RefundForm(prefix=f"refund-{payment.id}")
    booking_id = payment.booking_id
    if form.validate_on_submit():
        try:
            amount = parse_money(form.amount.data, payment.currency)
            refunds.refund_payment(payment, amount, form.reason.data, current_user)
        except (ValueError, PaymentError) as error:
            form.amount.errors.append(str(error))
        else:
            flash("Refund sent. The client gets it back on her card in a few days.", "success")
            if booking_id is None:
                return redirect(url_for("packages.client_packages", client_id=payment.client_id))
            return redirect(url_for("booking.practitioner_booking", booking_id=booking_id) + "#payments")
    if booking_id is None:  # a package payment: its page shows the refund forms
        flash(" ".join(form.amount.errors or form.reason.errors) or "The refund was not made: try again.", "error")
        return redirect(url_for("packages.client_packages", client_id=payment.client_id))
    booking = team_booking_or_404(booking_id)
    return practitioner_booking_page(booking, 422, refund_form=form, refunded_id=payment.id)


@bp.post("/practitioner/bookings/<int:booking_id>/payments")
@staff_required
def record_payment(booking_id: int):
    booking = get_booking_or_404(booking_id)
    form = ManualPaymentForm(prefix="manual")
    if form.validate_on_submit():
        try:
            amount = parse_money(form.amount.data, booking.currency)
            ledger.record_manual_payment(
                booking, amount, PaymentMethod(form.method.data), form.note.data or "", current_user
            )
        except (ValueError, PaymentError) as error:
            form.amount.errors.append(str(error))
        else:
            flash("Payment recorded.", "success")
            return redirect(url_for("booking.practitioner_booking", booking_id=booking.id) + "#payments")
    return practitioner_booking_page(team_booking_or_404(booking.id), 422, manual_form=form)
