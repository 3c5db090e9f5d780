"""The practitioner's settings pages: services, weekly hours, time off, booking rules, calendar feed."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from portal.access import clinical_required, get_own_or_404, owner_required
from portal.booking import bookings, feeds
from portal.db_types import utcnow
from portal.links import absolute_url
from portal.models import LocationKind, Service, TimeOff, WorkingHours
from portal.money import money_input, parse_money
from portal.practice import details, settings
from portal.practice.forms import (
    WEEKDAYS,
    AddressForm,
    ContactForm,
    HoursForm,
    RulesForm,
    ServiceForm,
    TimeOffForm,
)

bp = Blueprint("practice", __name__, url_prefix="/practitioner")


@bp.before_request
@clinical_required
def _practitioner_only():
    """Every page here is hers alone."""


def _rules():
    return bookings.rules_for(current_user.id)


# Services ---------------------------------------------------------------------------------------


@bp.get("/services/")
def services():
    return render_template("practice/services.html", services=settings.services_of(current_user))


def _service_page(form: ServiceForm, service: Service | None):
    currency = service.currency if service else current_app.config["PRACTICE_CURRENCY"]
    if form.validate_on_submit():
        try:
            price_minor = parse_money(form.price.data, currency)
        except ValueError as error:
            form.price.errors.append(str(error))
        else:
            try:
                saved = settings.save_service(
                    service,
                    current_user,
                    name=form.name.data,
                    description=form.description.data or "",
                    duration_minutes=form.duration_minutes.data,
                    price_minor=price_minor,
                    currency=currency,
                    active=form.active.data,
                    location_kind=LocationKind(form.location_kind.data),
                    video_url=form.video_url.data or "",
                    address=form.address.data or "",
                )
            except settings.SettingsError as error:
                form.video_url.errors.append(str(error))  # what the form's own check let through
            else:
                flash(f"“{saved.name}” is saved.", "success")
                return redirect(url_for("practice.services"))
    page = render_template(
        "practice/service_form.html",
        form=form,
        service=service,
        currency=currency,
        practice_address=_rules().address,
    )
    return page, 422 if form.is_submitted() else 200


@bp.route("/services/new", methods=["GET", "POST"])
def new_service():
    return _service_page(ServiceForm(), None)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def edit_service(service_id: int):
    service = get_own_or_404(Service, service_id, "practitioner_id")
    form = ServiceForm(obj=service)
    if not form.is_submitted():
        form.price.data = money_input(service.price_minor, service.currency)
    return _service_page(form, service)


# Hours, time off, rules and the calendar feed ------------------------------------------------------


def _edit_hours_form(hours: WorkingHours, formdata=None) -> HoursForm:
    def clock(minute: int) -> time:  # 1440, midnight at the end of the day, is typed as 00:00
        return time(minute // 60 % 24, minute % 60)

    data = {"weekday": hours.weekday, "start": clock(hours.start_minute), "end": clock(hours.end_minute)}
    return HoursForm(prefix=f"hours-{hours.id}", formdata=formdata, data=data)


def _settings_page(status: int = 200, edited: HoursForm | None = None, edited_id: int | None = None, **bound_forms):
    rules = _rules()
    today = utcnow().astimezone(ZoneInfo(rules.timezone)).date()
    hours = settings.working_hours_of(current_user)
    hour_forms = {h.id: edited if h.id == edited_id and edited else _edit_hours_form(h) for h in hours}
    notice_hours = -(-rules.min_notice_minutes // 60)  # kept in minutes; shown in whole hours, rounded up
    forms = {
        "hours_form": HoursForm(prefix="hours", formdata=None),
        "off_form": TimeOffForm(prefix="off", formdata=None),
        "rules_form": RulesForm(prefix="rules", formdata=None, obj=rules, min_notice_hours=notice_hours),
        "address_form": AddressForm(prefix="address", formdata=None, obj=rules),
    } | bound_forms
    if current_user.is_owner and "contact_form" not in forms:
        forms["contact_form"] = ContactForm(prefix="contact", formdata=None, obj=details.practice())
    feed_url = (
        absolute_url("booking.calendar_feed", token=rules.calendar_feed_token) if rules.calendar_feed_token else None
    )
    return render_template(
        "practice/settings.html",
        rules=rules,
        weekdays=WEEKDAYS,
        feed_url=feed_url,
        hours=hours,
        hour_forms=hour_forms,
        time_off=settings.time_off_of(current_user, today),
        **forms,
    ), status


@bp.get("/settings/")
def settings_page():
    return _settings_page()


@bp.post("/settings/hours")
def add_hours():
    form = HoursForm(prefix="hours")
    if form.validate_on_submit():
        try:
            settings.add_working_range(current_user, form.weekday.data, form.start.data, form.end.data)
        except settings.SettingsError as error:
            form.end.errors.append(str(error))
        else:
            flash(f"Added {WEEKDAYS[form.weekday.data]} {form.start.data:%H:%M}–{form.end.data:%H:%M}.", "success")
            return redirect(url_for("practice.settings_page") + "#hours")
    return _settings_page(422, hours_form=form)


@bp.post("/settings/hours/<int:hours_id>")
def edit_hours(hours_id: int):
    """Change one range of her weekly hours in place."""
    hours = get_own_or_404(WorkingHours, hours_id, "practitioner_id")
    form = HoursForm(prefix=f"hours-{hours.id}")
    if form.validate_on_submit():
        try:
            settings.change_working_range(hours, current_user, form.weekday.data, form.start.data, form.end.data)
        except settings.SettingsError as error:
            form.end.errors.append(str(error))
        else:
            flash(
                f"Changed to {WEEKDAYS[hours.weekday]} {form.start.data:%H:%M}–{form.end.data:%H:%M}. "
                "Sessions already booked stay booked.",
                "success",
            )
            return redirect(url_for("practice.settings_page") + "#hours")
    return _settings_page(422, edited=form, edited_id=hours.id)


@bp.post("/settings/hours/<int:hours_id>/delete")
def delete_hours(hours_id: int):
    if not settings.delete_owned(WorkingHours, hours_id, current_user):
        abort(404)
    flash("Those hours are removed. Sessions already booked in them stay booked.", "success")
    return redirect(url_for("practice.settings_page") + "#hours")


@bp.post("/settings/time-off")
def add_time_off():
    form = TimeOffForm(prefix="off")
    if form.validate_on_submit():
        try:
            settings.add_time_off(current_user, form.first_day.data, form.last_day.data, form.note.data or "")
        except settings.SettingsError as error:
            form.last_day.errors.append(str(error))
        else:
            flash("Time off added. Clients can't book on those days; sessions already booked stay booked.", "success")
            return redirect(url_for("practice.settings_page") + "#time-off")
    return _settings_page(422, off_form=form)


@bp.post("/settings/time-off/<int:time_off_id>/delete")
def delete_time_off(time_off_id: int):
    if not settings.delete_owned(TimeOff, time_off_id, current_user):
        abort(404)
    flash("That time off is removed.", "success")
    return redirect(url_for("practice.settings_page") + "#time-off")


@bp.post("/settings/rules")
def save_rules():
    form = RulesForm(prefix="rules")
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in settings.RULE_FIELDS if name != "min_notice_minutes"}
        settings.update_rules(_rules(), values | {"min_notice_minutes": form.min_notice_hours.data * 60})
        flash("Booking rules saved.", "success")
        return redirect(url_for("practice.settings_page") + "#rules")
    return _settings_page(422, rules_form=form)


@bp.post("/settings/address")
def save_address():
    form = AddressForm(prefix="address")
    if form.validate_on_submit():
        try:
            settings.save_practice_address(_rules(), form.address.data or "")
        except settings.SettingsError as error:
            form.address.errors.append(str(error))
        else:
            flash("Practice address saved.", "success")
            return redirect(url_for("practice.settings_page") + "#address")
    return _settings_page(422, address_form=form)


@bp.post("/settings/contact")
@owner_required
def save_contact():
    """The practice's phone, e-mail and registration details: the owner's to keep."""
    form = ContactForm(prefix="contact")
    if form.validate_on_submit():
        try:
            details.save_contact(
                form.phone.data or "", form.email.data or "", form.registration.data or "", current_user
            )
        except details.ContactError as error:
            form[error.field].errors.append(str(error))
        else:
            flash("The practice's contact details are saved.", "success")
            return redirect(url_for("practice.settings_page") + "#contact")
    return _settings_page(422, contact_form=form)


@bp.post("/settings/calendar-feed")
def renew_feed():
    feeds.renew_feed_token(_rules())
    flash("Your calendar feed has a new private address. Any old address has stopped working.", "success")
    return redirect(url_for("practice.settings_page") + "#calendar-feed")


@bp.post("/settings/calendar-feed/revoke")
def revoke_feed():
    feeds.revoke_feed_token(_rules())
    flash("Your calendar feed is switched off. Its address no longer works.", "success")
    return redirect(url_for("practice.settings_page") + "#calendar-feed")
