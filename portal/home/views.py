"""The public front page and each role's home page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import outbox
from portal.access import client_required, clinical_required, staff_required, visible_clients
from portal.booking import bookings
from portal.db_types import utcnow
from portal.packages import purchases
from portal.payments import gateway
from portal.extensions import db
from portal.handouts import handouts
from portal.home import activity
from portal.home.forms import SeenForm
from portal.inputs import iso_instant, whole_number
from portal.questionnaires import attention, custom, diary_entries, responses

bp = Blueprint("home", __name__)

DASHBOARD_FLAGGED = 15  # clients on the dashboard's attention list; the rest are a click away
ATTENTION_PAGE = 50
DASHBOARD_HAPPENED = 10  # events since she last looked on the dashboard; the rest are on the activity page
ACTIVITY_PAGE = 25


@bp.get("/")
def index():
    if current_user.is_authenticated:
        endpoint = "home.practitioner_home" if current_user.is_staff else "home.client_home"
        return redirect(url_for(endpoint))
    return render_template("home/index.html")


@bp.get("/me/")
@client_required
def client_home():
    now = utcnow()
    upcoming, past = bookings.client_bookings(current_user.id, now)
    today = now.astimezone(ZoneInfo(current_user.timezone)).date()
    return render_template(
        "home/client.html",
        upcoming=upcoming,
        past=past,
        instruments=custom.catalogue(),
        due=responses.due_assignments(current_user.id, today),
        diary=diary_entries.glance(current_user.id, today),
        handouts=handouts.by_session(handouts.published_handouts(current_user.id))[:3],
        holdings=purchases.holdings(current_user.id, now),
        today=today,
        pay_online=gateway.enabled(),
    )


@bp.get("/practitioner/")
@staff_required
def practitioner_home():
    """The dashboard: today's sessions (hers; the assistant's: the practice's) and, for a practitioner, the
    attention list of her own clients."""
    now = utcnow()
    today = now.astimezone(ZoneInfo(current_user.timezone)).date()
    start, end = bookings.local_day_bounds(today, current_user.timezone)
    flagged = attention.listing(now, visible_clients, limit=DASHBOARD_FLAGGED) if current_user.is_practitioner else None
    whose = None if current_user.is_assistant else current_user.id
    looked = activity.last_looked(current_user)
    seen = looked or now - activity.FIRST_LOOK
    return render_template(
        "home/practitioner.html",
        now=now,
        now_iso=instant_text(now),
        seen=seen,
        looked=looked,
        first_look_days=activity.FIRST_LOOK.days,
        happened=activity.what_happened(
            current_user, visible_clients, limit=DASHBOARD_HAPPENED, after=seen, clinical=current_user.is_practitioner
        ),
        seen_form=SeenForm(formdata=None),
        titles=custom.catalogue() if current_user.is_practitioner else {},
        flagged=flagged,
        today_bookings=bookings.agenda(whose, start, end),
        undelivered=outbox.undelivered(current_user, now),
        overdue=purchases.overdue_plans(today, visible_clients),
    )


@bp.get("/practitioner/attention")
@clinical_required
def attention_list():
    """Every client of hers who needs her attention, most urgent first, a page at a time."""
    page = whole_number(request.args.get("page"), 1, 10_000) or 1
    flagged = attention.listing(utcnow(), visible_clients, limit=ATTENTION_PAGE, offset=(page - 1) * ATTENTION_PAGE)
    pages = max(1, -(-flagged.total // ATTENTION_PAGE))
    if page > pages:
        abort(404)
    return render_template("home/attention.html", flagged=flagged, page=page, pages=pages)


def instant_text(value: datetime) -> str:
    """An instant as the feed's links and forms carry it, to the microsecond (inputs.iso_instant reads it)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@bp.get("/practitioner/activity")
@staff_required
def activity_page():
    """Everything that happened, newest first, a page at a time (`before`: the oldest time of the last page)."""
    raw = request.args.get("before")
    before = iso_instant(raw)
    if raw is not None and before is None:
        abort(404)
    feed = activity.what_happened(
        current_user, visible_clients, limit=ACTIVITY_PAGE, before=before, clinical=current_user.is_practitioner
    )
    return render_template(
        "home/activity.html",
        happened=feed,
        seen=activity.seen_at(current_user),
        earlier=instant_text(feed.oldest) if feed.more and feed.oldest else None,
        titles=custom.catalogue() if current_user.is_practitioner else {},
    )


@bp.post("/practitioner/activity/seen")
@staff_required
def mark_activity_seen():
    form = SeenForm()
    until = iso_instant(form.until.data) if form.validate_on_submit() else None
    if until is None:
        flash("The page was out of date: please try again.", "error")
    else:
        activity.mark_seen(current_user, until)
        flash("Marked as seen. New events will show here as they happen.", "success")
    return redirect(url_for("home.practitioner_home"))


@bp.post("/practitioner/outbox/<int:message_id>/retry")
@staff_required
def retry_message(message_id: int):
    """Try an undelivered e-mail again now (it is the worker that sends it)."""
    try:
        message = outbox.retry(message_id, current_user)
    except outbox.NotRetriable:
        abort(404)
    db.session.commit()
    flash(f"The {message.template.replace('_', ' ')} e-mail will be tried again in a moment.", "success")
    return redirect(url_for("home.practitioner_home"))
