"""Booking pages: the public service list and slot picker, the client's bookings, the practitioner's
agenda and booking pages, and her private calendar feed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo

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

from portal.access import client_required, get_booking_or_404, get_own_or_404, staff_required
from portal.booking import bookings, feeds
from portal.booking.bookings import BookingError
from portal.booking.forms import CancelForm, ChooseSlotForm, MoveForm, OutcomeForm
from portal.booking.notify import notify_booking
from portal.db_types import utcnow
from portal.inputs import day_in_link, iso_instant
from portal.models import Booking, BookingStatus, Service
from portal.money import format_money
from portal.payments import payments
from portal.payments.forms import ManualPaymentForm, RefundForm
from portal.payments.payments import PaymentError
from portal.questionnaires import responses
from portal.timeutil import is_valid_timezone, timezone_choices

bp = Blueprint("booking", __name__)


def _default_tz() -> str:
    return current_app.config["PRACTICE_TIMEZONE"]


def _viewer_tz() -> str:
    if current_user.is_authenticated:
        return current_user.timezone
    requested = request.args.get("tz", "")
    return requested if is_valid_timezone(requested) else _default_tz()


def parse_start(raw: str | None) -> datetime | None:
    """An ISO instant from a form or link, as aware UTC; None if it is not one (or not between 1900 and 2100)."""
    return iso_instant(raw) if raw and len(raw) <= 40 else None


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def group_by_local_day(items: list, tz: str, when=lambda item: item) -> dict[date, list]:
    """Items (start instants, or bookings with when=...) grouped by their local date in zone `tz`."""
    zone, days = ZoneInfo(tz), dict[date, list]()
    for item in items:
        days.setdefault(when(item).astimezone(zone).date(), []).append(item)
    return days


def _slot_page(service: Service, free: list[datetime], tz: str, choose_endpoint: str, **endpoint_args):
    days = group_by_local_day(free, tz)
    chosen = day_in_link(request.args.get("day"))
    if chosen not in days:
        chosen = next(iter(days), None)
    visitor_tz = request.args.get("tz") if not current_user.is_authenticated else None
    here, here_args = request.endpoint, request.view_args
    assert here is not None and here_args is not None  # a request routed to a view
    return render_template(
        "booking/slots.html",
        service=service,
        days=days,
        chosen=chosen,
        tz=tz,
        rescheduling="booking_id" in endpoint_args,
        booking_id=endpoint_args.get("booking_id"),
        timezone_choices=timezone_choices(),
        day_url=lambda day: url_for(here, **here_args, day=day.isoformat(), tz=visitor_tz),
        choose_url=lambda start: url_for(choose_endpoint, **endpoint_args, start=iso(start)),
    )


# Public: services and free times ----------------------------------------------------------------


@bp.get("/book/")
def services():
    """Every bookable service; with several practitioners, she chooses one first (`?with=<id>`)."""
    offered = bookings.active_services()
    practitioners = list({s.practitioner_id: s.practitioner for s in offered}.values())
    chosen = request.args.get("with", type=int)
    if chosen is not None and any(p.id == chosen for p in practitioners):
        offered = [s for s in offered if s.practitioner_id == chosen]
    return render_template("booking/services.html", services=offered, practitioners=practitioners, chosen=chosen)


@bp.get("/book/<int:service_id>/")
def slots(service_id: int):
    service = bookings.bookable_service(service_id) or abort(404)
    availability = bookings.load_availability(service.practitioner_id, _default_tz(), utcnow())
    free = availability.free(timedelta(minutes=service.duration_minutes), utcnow())
    return _slot_page(service, free, _viewer_tz(), "booking.confirm", service_id=service.id)


@bp.route("/book/<int:service_id>/confirm", methods=["GET", "POST"])
@client_required
def confirm(service_id: int):
    service = bookings.bookable_service(service_id)
    if service is None:
        flash("That service can no longer be booked. Please choose another.", "error")
        return redirect(url_for("booking.services"))
    form = ChooseSlotForm()
    start = parse_start(form.start.data if request.method == "POST" else request.args.get("start"))
    if start is None:
        flash("Please choose a time from the list.", "error")
        return redirect(url_for("booking.slots", service_id=service.id))
    if form.validate_on_submit():
        needs_payment = payments.needs_card_payment(service)
        try:
            booking = bookings.create_booking(
                current_user, service, start, default_timezone=_default_tz(), needs_payment=needs_payment
            )
        except BookingError as error:
            return render_template(
                "booking/unavailable.html",
                service=service,
                message=str(error),
                next_free=error.next_free,
                iso=iso,
                choose_url=lambda s: url_for("booking.confirm", service_id=service.id, start=iso(s)),
                back_url=url_for("booking.slots", service_id=service.id),
            ), 409
        if needs_payment:  # confirmed, e-mailed and sent the intake set once the payment arrives
            return redirect(url_for("payments.pay", booking_id=booking.id))
        responses.assign_intake_set(
            current_user, service.practitioner_id, utcnow().astimezone(ZoneInfo(current_user.timezone)).date()
        )
        notify_booking(booking.id, "confirmed")
        flash("Your session is booked. We have e-mailed you the details and a calendar invitation.", "success")
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    form.start.data = iso(start)
    rules = bookings.rules_for(service.practitioner_id, _default_tz())
    return render_template(
        "booking/confirm.html",
        service=service,
        start=start,
        form=form,
        rules=rules,
        pay_now=payments.needs_card_payment(service),
        action=url_for("booking.confirm", service_id=service.id),
    )


# The client's bookings ----------------------------------------------------------------------------


def _own_booking(booking_id: int) -> Booking:
    get_own_or_404(Booking, booking_id, "client_id")
    booking = bookings.booking_with_history(booking_id)
    assert booking is not None  # get_own_or_404 found it
    return booking


@bp.get("/me/bookings/<int:booking_id>")
@client_required
def client_booking(booking_id: int):
    booking = _own_booking(booking_id)
    rules = bookings.rules_for(booking.practitioner_id, _default_tz())
    return render_template(
        "booking/client_booking.html",
        booking=booking,
        rules=rules,
        may_change=bookings.client_may_change(booking, rules),
        cancel_form=CancelForm(),
        payments=payments.payments_for_booking(booking.id),
    )


@bp.get("/me/bookings/<int:booking_id>/reschedule")
@client_required
def reschedule(booking_id: int):
    booking = _own_booking(booking_id)
    rules = bookings.rules_for(booking.practitioner_id, _default_tz())
    if not bookings.client_may_change(booking, rules):
        flash(
            f"Sessions can be moved up to {rules.cancellation_window_hours} hours before they start. "
            "Please contact the practice.",
            "error",
        )
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    availability = bookings.load_availability(
        booking.practitioner_id, _default_tz(), utcnow(), ignore_booking_id=booking.id
    )
    free = availability.free(booking.ends_at - booking.starts_at, utcnow())
    return _slot_page(booking.service, free, current_user.timezone, "booking.reschedule_confirm", booking_id=booking.id)


@bp.route("/me/bookings/<int:booking_id>/reschedule/confirm", methods=["GET", "POST"])
@client_required
def reschedule_confirm(booking_id: int):
    booking = _own_booking(booking_id)
    form = ChooseSlotForm()
    start = parse_start(form.start.data if request.method == "POST" else request.args.get("start"))
    if start is None:
        flash("Please choose a time from the list.", "error")
        return redirect(url_for("booking.reschedule", booking_id=booking.id))
    if form.validate_on_submit():
        old_start = booking.starts_at
        try:
            bookings.reschedule_booking(booking, start, current_user, default_timezone=_default_tz())
        except BookingError as error:
            return render_template(
                "booking/unavailable.html",
                service=booking.service,
                message=str(error),
                next_free=error.next_free,
                iso=iso,
                choose_url=lambda s: url_for("booking.reschedule_confirm", booking_id=booking.id, start=iso(s)),
                back_url=url_for("booking.client_booking", booking_id=booking.id),
            ), 409
        notify_booking(booking.id, "rescheduled", old_start)
        flash("Your session has moved. We have e-mailed you the new time.", "success")
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    form.start.data = iso(start)
    rules = bookings.rules_for(booking.practitioner_id, _default_tz())
    return render_template(
        "booking/confirm.html",
        service=booking.service,
        start=start,
        form=form,
        rules=rules,
        booking=booking,
        action=url_for("booking.reschedule_confirm", booking_id=booking.id),
    )


@bp.post("/me/bookings/<int:booking_id>/cancel")
@client_required
def client_cancel(booking_id: int):
    booking = _own_booking(booking_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            bookings.cancel_booking(
                booking, current_user, default_timezone=_default_tz(), reason=form.reason.data or ""
            )
        except BookingError as error:
            flash(str(error), "error")
        else:
            notify_booking(booking.id, "cancelled")
            flash("Your session is cancelled. We have e-mailed you a confirmation.", "success")
            _refund_client_cancellation(booking)
    else:
        flash("Please check the reason: " + " ".join(form.reason.errors or ["the form was not valid."]), "error")
    return redirect(url_for("booking.client_booking", booking_id=booking.id))


def _refund_client_cancellation(booking: Booking) -> None:
    """Cancelling within the policy gives her money back in full."""
    try:
        refunded = payments.refund_everything(booking, "Cancelled by the client within the policy", current_user)
    except PaymentError as error:
        flash(f"{error} The practice has been told and will refund you by hand.", "error")
        return
    if refunded:
        flash(f"Your payment of {format_money(refunded, booking.currency)} is being refunded to your card.", "success")


# The practitioner's agenda and bookings ---------------------------------------------------------------


@bp.get("/practitioner/agenda")
@staff_required
def agenda():
    tz = current_user.timezone
    today = utcnow().astimezone(ZoneInfo(tz)).date()
    day = day_in_link(request.args.get("date")) or today
    view = "week" if request.args.get("view") == "week" else "day"
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=i) for i in range(7 if view == "week" else 1)]
    start, _ = bookings.local_day_bounds(days[0], tz)
    _, end = bookings.local_day_bounds(days[-1], tz)
    # The assistant keeps the whole practice's agenda; each practitioner (and the owner) her own.
    whose = None if current_user.is_assistant else current_user.id
    by_day = group_by_local_day(bookings.agenda(whose, start, end), tz, lambda b: b.starts_at)
    step = timedelta(days=7 if view == "week" else 1)
    return render_template(
        "booking/agenda.html",
        view=view,
        days=days,
        by_day=by_day,
        today=today,
        previous=first - step,
        following=first + step,
        day=day,
    )


def _her_booking(booking_id: int) -> Booking:
    get_booking_or_404(booking_id)
    booking = bookings.booking_with_history(booking_id)
    assert booking is not None  # get_booking_or_404 found it
    return booking


@bp.get("/practitioner/bookings/<int:booking_id>")
@staff_required
def practitioner_booking(booking_id: int):
    booking = _her_booking(booking_id)
    zone = ZoneInfo(current_user.timezone)
    local = booking.starts_at.astimezone(zone)
    move_form = MoveForm(data={"day": local.date(), "time": local.time()})
    history = payments.payments_for_booking(booking.id)
    return render_template(
        "booking/practitioner_booking.html",
        booking=booking,
        move_form=move_form,
        cancel_form=CancelForm(),
        outcome_form=OutcomeForm(),
        now=utcnow(),
        payments=history,
        manual_form=ManualPaymentForm(prefix="manual"),
        refund_forms={p.id: RefundForm(prefix=f"refund-{p.id}") for p in history},
    )


def local_instant(day: date, at: time, tz: str) -> datetime | None:
    """Her wall-clock time as UTC; None when the clocks skip that time (spring forward)."""
    local = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=ZoneInfo(tz))
    instant = local.astimezone(UTC)
    return instant if instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == local.replace(tzinfo=None) else None


@bp.post("/practitioner/bookings/<int:booking_id>/move")
@staff_required
def practitioner_move(booking_id: int):
    booking = _her_booking(booking_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(" ".join(form.day.errors + form.time.errors) or "Choose a date and a start time.", "error")
        return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))
    start = local_instant(form.day.data, form.time.data, current_user.timezone)
    if start is None:
        flash("That time does not exist on that day: the clocks change. Choose another time.", "error")
        return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))
    old_start = booking.starts_at
    try:
        bookings.reschedule_booking(booking, start, current_user, default_timezone=_default_tz())
    except BookingError as error:
        flash(str(error), "error")
    else:
        notify_booking(booking.id, "rescheduled", old_start)
        flash("The session has moved and both of you have been e-mailed.", "success")
    return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))


@bp.post("/practitioner/bookings/<int:booking_id>/cancel")
@staff_required
def practitioner_cancel(booking_id: int):
    booking = _her_booking(booking_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            bookings.cancel_booking(
                booking, current_user, default_timezone=_default_tz(), reason=form.reason.data or ""
            )
        except BookingError as error:
            flash(str(error), "error")
        else:
            notify_booking(booking.id, "cancelled")
            flash("The session is cancelled and the client has been e-mailed.", "success")
    else:
        flash("Please check the reason: " + " ".join(form.reason.errors or ["the form was not valid."]), "error")
    return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))


@bp.post("/practitioner/bookings/<int:booking_id>/outcome")
@staff_required
def practitioner_outcome(booking_id: int):
    booking = _her_booking(booking_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            bookings.record_outcome(booking, BookingStatus(form.outcome.data), current_user)
        except BookingError as error:
            flash(str(error), "error")
        else:
            flash("Saved.", "success")
    return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))


# Her private calendar feed --------------------------------------------------------------------------


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    body = feeds.feed_for_token(token[:100])
    if body is None:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
