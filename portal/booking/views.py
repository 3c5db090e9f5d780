"""Booking pages: the public service list and slot picker, the client's bookings, the practitioner's
agenda and booking pages, and her private calendar feed."""

from __future__ import annotations

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal.access import (
    client_required,
    get_booking_for_viewer_or_404,
    get_booking_or_404,
    get_client_or_404,
    get_own_or_404,
    staff_required,
    visible_clients,
)
from portal.booking import bookings, feeds, lifecycle, place
from portal.booking.bookings import BookingError
from portal.booking.forms import (
    NEW_CLIENT,
    CancelForm,
    ChooseSlotForm,
    MoveForm,
    OutcomeForm,
    StaffBookingForm,
    VideoLinkForm,
)
from portal.booking.pages import group_by_local_day, iso, parse_start, slot_page, time_taken
from portal.consent.documents import unsigned_versions
from portal.db_types import utcnow
from portal.packages import catalogue, promo, purchases
from portal.inputs import day_in_link, whole_number
from portal.forms import select_choices
from portal.models import Booking, BookingStatus, PaymentMethod, Service, User
from portal.money import format_money
from portal.payments import gateway, ledger, refunds
from portal.payments.forms import ManualPaymentForm, RefundForm
from portal.practice import team
from portal.practice.details import contact_sentence
from portal.security import CONTENT_SECURITY_POLICY
from portal.timeutil import existing_local_instant, is_valid_timezone

bp = Blueprint("booking", __name__)

STAFF_BOOKING_CLIENTS = 500  # clients offered in the booking form's list; the links from a client preselect her


def _default_tz() -> str:
    return current_app.config["PRACTICE_TIMEZONE"]


def _viewer_tz() -> str:
    if current_user.is_authenticated:
        return current_user.timezone
    requested = request.args.get("tz", "")
    return requested if is_valid_timezone(requested) else _default_tz()


# Public: services and free times ----------------------------------------------------------------


@bp.get("/book/")
def services():
    """Every bookable service; with several practitioners, she chooses one first (`?with=<id>`)."""
    offered = bookings.active_services()
    practitioners = list({s.practitioner_id: s.practitioner for s in offered}.values())
    chosen = request.args.get("with", type=int)
    if chosen is not None and any(p.id == chosen for p in practitioners):
        offered = [s for s in offered if s.practitioner_id == chosen]
    else:
        chosen = None
    packages = catalogue.on_sale(chosen, online_only=True)
    return render_template(
        "booking/services.html", services=offered, practitioners=practitioners, chosen=chosen, packages=packages
    )


@bp.get("/book/<int:service_id>/")
def slots(service_id: int):
    service = bookings.bookable_service(service_id) or abort(404)
    availability = bookings.load_availability(service.practitioner_id, utcnow())
    free = availability.free(timedelta(minutes=service.duration_minutes), utcnow())
    return slot_page(service, free, _viewer_tz(), "booking.confirm", service_id=service.id)


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
    # The practice's published documents are signed first (none published: nothing asked); then back to this time.
    if unsigned_versions(current_user.id):
        return redirect(
            url_for("consent.sign", next=url_for("booking.confirm", service_id=service.id, start=iso(start)))
        )
    offer = purchases.credit_offer(current_user.id, service.id, utcnow())
    typed_code = (request.form.get("code") if request.method == "POST" else request.args.get("code")) or ""
    code, code_problem = _applied_code(service, typed_code[:60]) if typed_code.strip() and not offer else (None, "")
    price = code.price_minor if code else service.price_minor
    pay_now = offer is None and price > 0 and gateway.enabled()
    if form.validate_on_submit() and not code_problem:
        try:
            booking = lifecycle.book(
                current_user, service, start, needs_payment=pay_now, use_credit=offer is not None, code=code
            )
        except BookingError as error:
            return time_taken(
                service,
                error,
                lambda s: url_for("booking.confirm", service_id=service.id, start=iso(s)),
                url_for("booking.slots", service_id=service.id),
            )
        if pay_now:  # confirmed, e-mailed and sent the intake set once the payment arrives
            return redirect(url_for("payments.pay", booking_id=booking.id))
        flash("Your session is booked. We have e-mailed you the details and a calendar invitation.", "success")
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    form.start.data = iso(start)
    rules = bookings.rules_for(service.practitioner_id)
    page = render_template(
        "booking/confirm.html",
        service=service,
        start=start,
        form=form,
        rules=rules,
        pay_now=pay_now,
        offer=offer,
        code=code,
        typed_code=typed_code.strip()[:30],
        code_problem=code_problem,
        price=price,
        price_text=format_money(price, service.currency),
        place=place.service_place(service, rules),
        action=url_for("booking.confirm", service_id=service.id),
    )
    return page, 422 if code_problem else 200


def _applied_code(service, typed: str) -> tuple[promo.Applied | None, str]:
    """The code she typed, checked for this service today: (applied, "") or (None, why not)."""
    try:
        today = utcnow().astimezone(ZoneInfo(current_user.timezone)).date()
        return promo.check(
            service.practitioner_id,
            typed,
            current_user,
            list_price_minor=service.price_minor,
            currency=service.currency,
            today=today,
            service_id=service.id,
        ), ""
    except promo.PromoError as error:
        return None, str(error)


# The client's bookings ----------------------------------------------------------------------------


def _client_booking_or_404(booking_id: int) -> Booking:
    get_own_or_404(Booking, booking_id, "client_id")
    booking = bookings.booking_with_history(booking_id)
    assert booking is not None  # get_own_or_404 found it
    return booking


@bp.get("/me/bookings/<int:booking_id>")
@client_required
def client_booking(booking_id: int):
    booking = _client_booking_or_404(booking_id)
    rules = bookings.rules_for(booking.practitioner_id)
    now = utcnow()
    return render_template(
        "booking/client_booking.html",
        booking=booking,
        rules=rules,
        now=now,
        place=place.booking_place(booking, rules),
        can_join=place.can_join(booking, now),
        join_opens_at=place.join_opens_at(booking),
        may_change=bookings.client_may_change(booking, rules),
        cancel_form=CancelForm(),
        payments=ledger.payments_for_booking(booking.id),
    )


@bp.get("/me/bookings/<int:booking_id>/reschedule")
@client_required
def reschedule(booking_id: int):
    booking = _client_booking_or_404(booking_id)
    rules = bookings.rules_for(booking.practitioner_id)
    if not bookings.client_may_change(booking, rules):
        flash(
            f"Sessions can be moved up to {rules.cancellation_window_hours} hours before they start. "
            + contact_sentence(),
            "error",
        )
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    availability = bookings.load_availability(booking.practitioner_id, utcnow(), ignore_booking_id=booking.id)
    free = availability.free(booking.ends_at - booking.starts_at, utcnow())
    return slot_page(booking.service, free, current_user.timezone, "booking.reschedule_confirm", booking_id=booking.id)


@bp.route("/me/bookings/<int:booking_id>/reschedule/confirm", methods=["GET", "POST"])
@client_required
def reschedule_confirm(booking_id: int):
    booking = _client_booking_or_404(booking_id)
    form = ChooseSlotForm()
    start = parse_start(form.start.data if request.method == "POST" else request.args.get("start"))
    if start is None:
        flash("Please choose a time from the list.", "error")
        return redirect(url_for("booking.reschedule", booking_id=booking.id))
    if form.validate_on_submit():
        try:
            lifecycle.move(booking, start, current_user)
        except BookingError as error:
            return time_taken(
                booking.service,
                error,
                lambda s: url_for("booking.reschedule_confirm", booking_id=booking.id, start=iso(s)),
                url_for("booking.client_booking", booking_id=booking.id),
            )
        flash("Your session has moved. We have e-mailed you the new time.", "success")
        return redirect(url_for("booking.client_booking", booking_id=booking.id))
    form.start.data = iso(start)
    rules = bookings.rules_for(booking.practitioner_id)
    return render_template(
        "booking/confirm.html",
        service=booking.service,
        start=start,
        form=form,
        rules=rules,
        booking=booking,
        place=place.booking_place(booking, rules),
        action=url_for("booking.reschedule_confirm", booking_id=booking.id),
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    """Cancelling, by the client (within the policy, refunded in full) or by the practice's team."""
    booking = get_booking_for_viewer_or_404(booking_id)
    page = url_for(
        "booking.client_booking" if current_user.is_client else "booking.practitioner_booking", booking_id=booking.id
    )
    form = CancelForm()
    if not form.validate_on_submit() and not current_user.is_client:
        return practitioner_booking_page(team_booking_or_404(booking.id), 422, cancel_form=form)
    if not form.validate_on_submit():
        flash("Please check the reason: " + " ".join(form.reason.errors or ["the form was not valid."]), "error")
        return redirect(page)
    try:
        done = refunds.cancel(booking, current_user, reason=form.reason.data or "")
    except BookingError as error:
        if not current_user.is_client:
            form.reason.errors = [str(error)]
            return practitioner_booking_page(team_booking_or_404(booking.id), 422, cancel_form=form)
        flash(str(error), "error")
        return redirect(page)
    if not current_user.is_client:
        flash("The session is cancelled and the client has been e-mailed.", "success")
        return redirect(page)
    flash("Your session is cancelled. We have e-mailed you a confirmation.", "success")
    if done.refund.kind == "credit_back":
        flash("The session is back in your package: you can book it again.", "success")
    if done.refund_problem:
        flash(f"{done.refund_problem} The practice has been told and will refund you by hand.", "error")
    elif done.refunded_minor:
        flash(
            f"Your payment of {format_money(done.refunded_minor, booking.currency)} is being refunded to your card.",
            "success",
        )
    return redirect(page)


# The practitioner's agenda and bookings ---------------------------------------------------------------


@bp.get("/practitioner/agenda")
@staff_required
def agenda():
    """The day or the week: for the owner and each practitioner a calendar of her own (with the list under it, which
    is what a phone shows); for the assistant, the whole practice's list."""
    tz = current_user.timezone
    if not current_user.is_assistant:
        tz = bookings.rules_for(current_user.id).timezone  # the calendar is drawn in the zone of her hours
    today = utcnow().astimezone(ZoneInfo(tz)).date()
    day = day_in_link(request.args.get("date")) or today
    view = "week" if request.args.get("view") == "week" else "day"
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=i) for i in range(7 if view == "week" else 1)]
    start, _ = bookings.local_day_bounds(days[0], tz)
    _, end = bookings.local_day_bounds(days[-1], tz)
    # The assistant keeps the whole practice's agenda; each practitioner (and the owner) her own.
    whose = None if current_user.is_assistant else current_user.id
    listed = bookings.agenda(whose, start, end)
    by_day = group_by_local_day(listed, tz, lambda b: b.starts_at)
    step = timedelta(days=7 if view == "week" else 1)
    calendar = None
    if whose is not None:
        around = bookings.agenda(whose, start - timedelta(days=1), end + timedelta(days=1))
        calendar = bookings.calendar_grid(whose, days, around, utcnow())
    nonce = secrets.token_urlsafe(16)
    response = make_response(
        render_template(
            "booking/agenda.html",
            view=view,
            days=days,
            by_day=by_day,
            today=today,
            previous=first - step,
            following=first + step,
            day=day,
            tz=tz,
            calendar=calendar,
            style_nonce=nonce,
            iso=iso,
        )
    )
    if calendar is not None:  # the blocks' places are a per-page stylesheet; the policy allows no inline style
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
        )
    return response


def _staff_services() -> list:
    """The services she may book for a client: the assistant any practitioner's, the others their own."""
    offered = bookings.active_services()
    return offered if current_user.is_assistant else [s for s in offered if s.practitioner_id == current_user.id]


def _staff_booking_form(offered: list, booking_clients: list) -> StaffBookingForm:
    form = StaffBookingForm()
    form.client_id.choices = select_choices(
        [(NEW_CLIENT, "A new client")] + [(c.client.id, f"{c.client.name} ({c.client.email})") for c in booking_clients]
    )
    names = {s.practitioner_id: s.practitioner.name for s in offered}
    form.service_id.choices = select_choices(
        (s.id, s.name if len(names) == 1 else f"{s.name} with {s.practitioner.name}") for s in offered
    )
    return form


@bp.route("/practitioner/book", methods=["GET", "POST"])
@staff_required
def book_for_client():
    """Book a session or a series for a client (one she may see, or a new one), from the calendar ("Book here"),
    the client lists or the case file: `?start=` and `?client=` prefill the form."""
    offered = _staff_services()
    chosen = whole_number(request.args.get("client") if request.method == "GET" else request.form.get("client_id"), 1)
    if chosen:  # a client she may not see is "Page not found", like her case file
        get_client_or_404(chosen)
    form = _staff_booking_form(offered, team.contact_rows("", visible_clients, STAFF_BOOKING_CLIENTS))
    if chosen and chosen not in {choice.value for choice in form.client_id.choices}:
        client = get_client_or_404(chosen)  # beyond the list's length: still hers to book
        form.client_id.choices += select_choices([(client.id, f"{client.name} ({client.email})")])
    result = None
    if request.method == "GET":
        start = parse_start(request.args.get("start"))
        if start is not None:
            local = start.astimezone(ZoneInfo(current_user.timezone))
            form.day.data, form.time.data = local.date(), local.time()
        if chosen:
            form.client_id.data = chosen
        service_id = whole_number(request.args.get("service"), 1)
        if service_id in {s.id for s in offered}:
            form.service_id.data = service_id
    elif form.validate_on_submit():
        offered_by_id = {s.id: s for s in offered}
        result = _book_from_form(form, offered_by_id)
        if result is not None and result.booked:
            return _booked_page(result, offered_by_id[form.service_id.data], form.client_id.data == NEW_CLIENT)
    status = 422 if form.errors or (result is not None and not result.booked) else 200
    return render_template(
        "booking/book_for_client.html", form=form, services=offered, result=result, new_client=NEW_CLIENT
    ), status


def _book_from_form(form: StaffBookingForm, offered: dict) -> lifecycle.Booked | None:
    """Book what the form asks; None (with the error beside its field) when it can't be tried."""
    start = existing_local_instant(form.day.data, form.time.data, current_user.timezone)
    if start is None:
        form.time.errors.append("That time does not exist on that day: the clocks change. Choose another time.")
        return None
    if form.client_id.data == NEW_CLIENT:
        client: User | lifecycle.NewClient = lifecycle.NewClient(form.new_name.data, form.new_email.data)
    else:
        client = get_client_or_404(form.client_id.data)
    paid_by = None
    if form.payment.data == "paid_now":
        paid_by = ledger.paid_now(PaymentMethod(form.paid_by.data), "Paid when booked", current_user)
    elif form.payment.data == "credit":
        paid_by = purchases.paid_with_credit(utcnow())
    try:
        return lifecycle.book_for_client(
            client,
            offered[form.service_id.data],
            start,
            current_user,
            every_weeks=form.repeat.data or 1,
            count=form.count.data if form.repeat.data else 1,
            paid_by=paid_by,
        )
    except purchases.NoCreditLeft as error:
        form.payment.errors.append(str(error))
        return None
    except BookingError as error:
        target = form.new_email if isinstance(client, lifecycle.NewClient) and "e-mail" in str(error) else form.time
        target.errors.append(str(error))
        return None


def _booked_page(result: lifecycle.Booked, service: Service, new_client: bool):
    client = result.client
    assert client is not None  # something was booked for her
    if new_client:
        flash(f"{client.name} has an account now, and an e-mail to choose her password.", "success")
    if unsigned_versions(client.id):  # not held back, but her case file flags it until she signs
        flash(f"{client.name} has not signed the practice's current documents yet.", "info")
    if len(result.booked) == 1 and not result.skipped:
        flash(f"Booked for {client.name}; she has been e-mailed the details.", "success")
        return redirect(url_for("booking.practitioner_booking", booking_id=result.booked[0].id))
    return render_template("booking/booked_series.html", result=result, client=client, service=service)


def team_booking_or_404(booking_id: int) -> Booking:
    get_booking_or_404(booking_id)
    booking = bookings.booking_with_history(booking_id)
    assert booking is not None  # get_booking_or_404 found it
    return booking


def practitioner_booking_page(booking: Booking, status: int = 200, **forms):
    """The practitioner's page of one session; `forms` (move_form, cancel_form, outcome_form, video_form,
    manual_form, refund_form with refunded_id) are the posted ones to show again with what was typed and
    their errors beside the fields."""
    zone = ZoneInfo(current_user.timezone)
    local = booking.starts_at.astimezone(zone)
    history = ledger.payments_for_booking(booking.id)
    refund_forms = {p.id: RefundForm(prefix=f"refund-{p.id}", formdata=None) for p in history}
    if "refund_form" in forms:
        refund_forms[forms.pop("refunded_id")] = forms.pop("refund_form")
    now = utcnow()
    return render_template(
        "booking/practitioner_booking.html",
        booking=booking,
        move_form=forms.get("move_form") or MoveForm(formdata=None, data={"day": local.date(), "time": local.time()}),
        cancel_form=forms.get("cancel_form") or CancelForm(formdata=None),
        outcome_form=forms.get("outcome_form") or OutcomeForm(formdata=None),
        video_form=forms.get("video_form")
        or VideoLinkForm(prefix="video", formdata=None, data={"video_url": booking.video_url}),
        now=now,
        place=place.booking_place(booking, bookings.rules_for(booking.practitioner_id)),
        can_join=place.can_join(booking, now),
        join_opens_at=place.join_opens_at(booking),
        payments=history,
        manual_form=forms.get("manual_form") or ManualPaymentForm(prefix="manual", formdata=None),
        refund_forms=refund_forms,
    ), status


@bp.get("/practitioner/bookings/<int:booking_id>")
@staff_required
def practitioner_booking(booking_id: int):
    return practitioner_booking_page(team_booking_or_404(booking_id))


@bp.post("/practitioner/bookings/<int:booking_id>/video-link")
@staff_required
def practitioner_video_link(booking_id: int):
    """This session's own video room link, or back to the service's."""
    booking = team_booking_or_404(booking_id)
    form = VideoLinkForm(prefix="video")
    if form.validate_on_submit():
        try:
            lifecycle.set_video_link(booking, form.video_url.data or "", current_user)
        except BookingError as error:
            form.video_url.errors.append(str(error))
        else:
            flash(
                "This session has its own video link now."
                if booking.video_url
                else "This session uses the service's video link.",
                "success",
            )
            return redirect(url_for("booking.practitioner_booking", booking_id=booking.id) + "#where")
    return practitioner_booking_page(booking, 422, video_form=form)


@bp.post("/practitioner/bookings/<int:booking_id>/move")
@staff_required
def practitioner_move(booking_id: int):
    booking = team_booking_or_404(booking_id)
    form = MoveForm()
    if form.validate_on_submit():
        start = existing_local_instant(form.day.data, form.time.data, current_user.timezone)
        if start is None:
            form.time.errors.append("That time does not exist on that day: the clocks change. Choose another time.")
        else:
            try:
                lifecycle.move(booking, start, current_user)
            except BookingError as error:
                form.time.errors.append(str(error))
            else:
                flash("The session has moved and both of you have been e-mailed.", "success")
                return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))
    return practitioner_booking_page(booking, 422, move_form=form)


@bp.post("/practitioner/bookings/<int:booking_id>/outcome")
@staff_required
def practitioner_outcome(booking_id: int):
    booking = team_booking_or_404(booking_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            lifecycle.record_outcome(booking, BookingStatus(form.outcome.data), current_user)
        except BookingError as error:
            form.outcome.errors.append(str(error))
        else:
            flash("Saved.", "success")
            return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))
    elif not form.outcome.errors:
        form.outcome.errors.append("Choose completed or no-show.")
    return practitioner_booking_page(booking, 422, outcome_form=form)


# Her private calendar feed --------------------------------------------------------------------------


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    body = feeds.feed_for_token(token[:100])
    if body is None:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
