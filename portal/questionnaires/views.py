"""The client's daily diary and what it shows, for her and for the practitioner."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import client_required, practitioner_required
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import User
from portal.questionnaires import diary_entries
from portal.questionnaires.diary import MEDICATION_CLASSES
from portal.questionnaires.diary_entries import DiaryError
from portal.questionnaires.forms import BRISTOL_LABELS, DiaryForm

bp = Blueprint("questionnaires", __name__)


def _today(tz: str) -> date:
    return utcnow().astimezone(ZoneInfo(tz)).date()


def _chosen_day(today: date) -> date:
    raw = request.args.get("day", "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else today
    except ValueError:
        return today


def _form_data(entry) -> dict:
    if entry is None:
        return {}
    return {"headache": entry.headache, "intensity": entry.intensity, "hours": entry.headache_minutes / 60,
            "medication": [k for k in MEDICATION_CLASSES if getattr(entry, f"took_{k}")],
            "stool_types": list(entry.stool_types or []), "bloating": entry.bloating,
            "abdominal_pain": entry.abdominal_pain, "note": entry.note}


@bp.route("/me/diary/", methods=["GET", "POST"])
@client_required
def diary():
    today = _today(current_user.timezone)
    day = _chosen_day(today)
    entry = diary_entries.entry_for(current_user, day)
    form = DiaryForm(data=_form_data(entry)) if request.method == "GET" else DiaryForm()
    if form.validate_on_submit():
        try:
            diary_entries.save_entry(
                current_user, day, today, headache=form.headache.data, intensity=form.intensity.data,
                headache_minutes=round(float(form.hours.data or 0) * 60), medication=set(form.medication.data),
                stool_types=form.stool_types.data, bloating=form.bloating.data,
                abdominal_pain=form.abdominal_pain.data, note=form.note.data or "")
        except DiaryError as error:
            flash(str(error), "error")
        else:
            flash(f"Saved your diary for {day:%A %-d %B}.", "success")
            return redirect(url_for("questionnaires.diary", day=day.isoformat()))
    return render_template("questionnaires/diary.html", form=form, day=day, today=today, entry=entry,
                           overview=diary_entries.overview(current_user.id, today), bristol=dict(BRISTOL_LABELS))


@bp.get("/practitioner/clients/<int:client_id>/diary")
@practitioner_required
def client_diary(client_id: int):
    client = db.session.get(User, client_id)
    if client is None or not client.is_client:
        abort(404)
    return render_template("questionnaires/client_diary.html", client=client, bristol=dict(BRISTOL_LABELS),
                           overview=diary_entries.overview(client.id, _today(client.timezone)))
