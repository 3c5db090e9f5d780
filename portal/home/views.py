"""The public front page and each role's home page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import outbox
from portal.access import client_required, clinical_required, staff_required, visible_clients
from portal.booking import bookings
from portal.db_types import utcnow
from portal.packages import purchases
from portal.extensions import db
from portal.handouts import handouts
from portal.inputs import whole_number
from portal.questionnaires import attention, custom, diary_entries, responses

bp = Blueprint("home", __name__)

DASHBOARD_FLAGGED = 15  # clients on the dashboard's attention list; the rest are a click away
ATTENTION_PAGE = 50


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
    return render_template(
        "home/practitioner.html",
        now=now,
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
