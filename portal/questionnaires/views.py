"""The client's daily diary and what it shows, for her and for the practitioner."""
from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import client_required, get_own_or_404, practitioner_required
from portal.db_types import utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import Assignment, Response, User
from portal.questionnaires import diary_entries, responses
from portal.questionnaires.charts import score_chart
from portal.questionnaires.diary import MEDICATION_CLASSES
from portal.questionnaires.diary_entries import DiaryError
from portal.questionnaires.forms import BRISTOL_LABELS, AnswerForm, AssignForm, DiaryForm
from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.responses import ResponseError
from portal.questionnaires.scoring import BANDS_BY_CODE, RANGES_BY_CODE

log = logging.getLogger(__name__)

bp = Blueprint("questionnaires", __name__)


def _today(tz: str) -> date:
    return utcnow().astimezone(ZoneInfo(tz)).date()


def _chosen_day(today: date) -> date:
    raw = request.args.get("day", "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else today
    except ValueError:
        return today


def _span() -> int:
    return diary_entries.timeline_span(request.args.get("span"))


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
                           overview=diary_entries.overview(current_user.id, today, _span()),
                           bristol=dict(BRISTOL_LABELS), spans=diary_entries.TIMELINE_SPANS)


@bp.get("/practitioner/clients/<int:client_id>/diary")
@practitioner_required
def client_diary(client_id: int):
    client = db.session.get(User, client_id)
    if client is None or not client.is_client:
        abort(404)
    by_code: dict[str, list[Response]] = {}
    for response in responses.submitted_responses(client.id):
        by_code.setdefault(response.code, []).append(response)
    charts = {code: score_chart([(r.submitted_at.date(), r.total) for r in items], low=RANGES_BY_CODE[code][0],
                                high=RANGES_BY_CODE[code][1], bands=BANDS_BY_CODE.get(code, []),
                                title=f"{INSTRUMENTS[code].title} over time")
              for code, items in by_code.items() if code in RANGES_BY_CODE}
    assignments = db.session.execute(db.select(Assignment).filter_by(client_id=client.id, active=True)).scalars()
    neutral = [i.title for i in (responses.instrument_for(c, _licensed_content()) for c in responses.ASSIGNABLE)
               if i.needs_licence_notice]
    return render_template("questionnaires/client_diary.html", client=client, bristol=dict(BRISTOL_LABELS),
                           neutral_wording=neutral,
                           overview=diary_entries.overview(client.id, _today(client.timezone), _span()),
                           spans=diary_entries.TIMELINE_SPANS,
                           by_code=by_code, charts=charts, instruments=INSTRUMENTS, assignments=list(assignments),
                           assign_form=AssignForm())


# Questionnaires: the client answers, the practitioner assigns and reads -----------------------------------------

def _licensed_content() -> dict | None:
    return current_app.config["LICENSED_CONTENT"]  # LICENSED_CONTENT_FILE, read and checked at start-up


def _own_response(response_id: int) -> Response:
    response = get_own_or_404(Response, response_id, "client_id")
    if response.status != "draft":
        flash("This questionnaire has been sent already. Thank you.", "info")
        abort(redirect(url_for("home.client_home")))
    return response


@bp.get("/me/questionnaires/<int:assignment_id>")
@client_required
def start(assignment_id: int):
    assignment = get_own_or_404(Assignment, assignment_id, "client_id")
    if not assignment.active:
        flash("This questionnaire is not waiting for you any more.", "info")
        return redirect(url_for("home.client_home"))
    draft = responses.draft_for(assignment)
    items = responses.required_items(INSTRUMENTS[draft.code], draft.answers)
    step = next((n for n, item in enumerate(items, start=1) if item.key not in draft.answers), None)
    if step is None:
        return redirect(url_for("questionnaires.review", response_id=draft.id))
    return redirect(url_for("questionnaires.answer", response_id=draft.id, step=step))


@bp.route("/me/responses/<int:response_id>/<int:step>", methods=["GET", "POST"])
@client_required
def answer(response_id: int, step: int):
    response = _own_response(response_id)
    instrument = responses.instrument_for(response.code, _licensed_content())
    items = responses.required_items(instrument, response.answers)
    if not 1 <= step <= len(items):
        abort(404)
    item, form, error = items[step - 1], AnswerForm(), None
    if form.validate_on_submit():
        try:
            responses.save_answer(response, item, responses.parse_answer(item, request.form.get("answer")))
        except ResponseError as problem:
            error = str(problem)
        else:
            items = responses.required_items(instrument, response.answers)  # a "no" may skip questions
            following = next((n for n, i in enumerate(items, start=1) if i.key not in response.answers), None)
            if following is None:
                return redirect(url_for("questionnaires.review", response_id=response.id))
            return redirect(url_for("questionnaires.answer", response_id=response.id, step=following))
    return render_template("questionnaires/answer.html", response=response, instrument=instrument, item=item,
                           step=step, steps=len(items), form=form, error=error,
                           current=response.answers.get(item.key)), 422 if error else 200


@bp.route("/me/responses/<int:response_id>/review", methods=["GET", "POST"])
@client_required
def review(response_id: int):
    response = _own_response(response_id)
    instrument = responses.instrument_for(response.code, _licensed_content())
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            done = responses.submit(response, _today(current_user.timezone))
        except ResponseError as problem:
            flash(str(problem), "error")
        else:
            if done.alert:
                _tell_practitioner(response)
            flash(f"Thank you. Your {instrument.title} answers have been sent to your practitioner.", "success")
            return redirect(url_for("home.client_home"))
    items = responses.required_items(instrument, response.answers)
    return render_template("questionnaires/review.html", response=response, instrument=instrument, items=items,
                           form=form)


def _tell_practitioner(response: Response) -> None:
    """An answer that needs her attention today. The subject carries no health data."""
    assignment = db.session.get(Assignment, response.assignment_id)
    practitioner, client = db.session.get(User, assignment.assigned_by_id), db.session.get(User, response.client_id)
    try:
        send_mail(practitioner.email, "A client's answers need your attention", "questionnaire_alert",
                  recipient=practitioner, client=client,
                  link=absolute_url("questionnaires.client_diary", client_id=client.id))
    except Exception:  # noqa: BLE001 - her home page shows the flag as well
        log.exception("alert e-mail failed: response=%s", response.id)


@bp.post("/practitioner/clients/<int:client_id>/assignments")
@practitioner_required
def assign(client_id: int):
    client = db.session.get(User, client_id)
    if client is None or not client.is_client:
        abort(404)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            responses.assign(client, form.code.data, int(form.every.data) if form.every.data else None,
                             _today(client.timezone), current_user)
        except ResponseError as problem:
            flash(str(problem), "error")
        else:
            flash(f"{client.name} will see it on her home page.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("questionnaires.client_diary", client_id=client.id) + "#questionnaires")
