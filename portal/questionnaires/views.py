"""The client's daily diary and what it shows, for her and for the practitioner."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.access import client_required, clinical_required, get_client_or_404, get_own_or_404
from portal.booking import bookings
from portal.db_types import utcnow
from portal.extensions import csrf, db
from portal.inputs import day_in_link
from portal.models import (
    Assignment,
    CustomQuestionnaire,
    CustomQuestionnaireVersion,
    QuestionnaireResponse,
    ResponseStatus,
)
from portal.journal import forms as journal_forms
from portal.journal import meals, photos, tags
from portal.questionnaires import custom, diary_entries, progress, responses
from portal.questionnaires.custom import CustomError
from portal.questionnaires.diary_entries import DiaryError
from portal.questionnaires.forms import (
    BRISTOL_LABELS,
    AnswerForm,
    AssignForm,
    IntakeForm,
    QuestionForm,
    QuestionnaireForm,
    assign_choices,
)
from portal.questionnaires.responses import ResponseError
from portal.triggers import loader as trigger_loader
from portal.triggers.words import describe as describe_triggers

log = logging.getLogger(__name__)

bp = Blueprint("questionnaires", __name__)


def _today(tz: str) -> date:
    return utcnow().astimezone(ZoneInfo(tz)).date()


def _chosen_day(today: date) -> date:
    return day_in_link(request.args.get("day")) or today


def _span() -> int:
    return diary_entries.timeline_span(request.args.get("span"))


def _triggers(client_id: int, today: date, whose: str):
    """The trigger finder for a client whose access was checked, as the page's ?without_period=1 asks."""
    without_period = trigger_loader.without_period_asked(request.args.get("without_period"))
    return describe_triggers(trigger_loader.trigger_report(client_id, today, without_period=without_period), whose)


# The day's form carries up to two new meal photos: the request may be larger than MAX_CONTENT_LENGTH.
DIARY_REQUEST_LIMIT = 2 * photos.MAX_UPLOAD_BYTES + 1024 * 1024


@bp.route("/me/diary/", methods=["GET", "POST"])
@csrf.exempt  # checked below, once the larger limit is set (the global check would read the body first)
@client_required
def diary():
    if request.method == "POST":
        request.max_content_length = DIARY_REQUEST_LIMIT
        csrf.protect()
    today = _today(current_user.timezone)
    day = _chosen_day(today)
    entry = diary_entries.entry_for(current_user, day)
    saved = meals.saved_day(entry)
    supplements = meals.current_supplements(current_user.id)
    form = journal_forms.day_form(entry, saved, tags.all_tags(include_archived=True), request.method == "POST")
    ticks = {line.id: saved.supplements.get(line.id) for line in supplements}
    status = 200
    if request.method == "POST":
        ticks = {line.id: journal_forms.supplement_ticked(request.form, line.id) for line in supplements}
        journal = journal_forms.day_input(form, supplements, request.form) if form.validate() else None
        if journal is not None:
            try:
                meals.save_day(current_user, day, today, journal, **journal_forms.diary_fields(form))
            except DiaryError as error:
                db.session.rollback()
                field = getattr(form, getattr(error, "field", ""), None) or form.note
                field.errors = [*field.errors, str(error)]
            else:
                flash(f"Saved your diary for {day:%A %-d %B}.", "success")
                return redirect(url_for("questionnaires.diary", day=day.isoformat()))
        status = 422
        flash("Nothing was saved yet: please check the answers marked below. What you typed is still here.", "error")
    return render_template(
        "questionnaires/diary.html",
        form=form,
        day=day,
        today=today,
        entry=entry,
        saved=saved,
        supplements=supplements,
        ticks=ticks,
        tag_groups=tags.grouped(tags.all_tags()),
        overview=diary_entries.overview(current_user.id, today, _span()),
        bristol=dict(BRISTOL_LABELS),
        spans=diary_entries.TIMELINE_SPANS,
        triggers=_triggers(current_user.id, today, "your"),
    ), status


@bp.get("/practitioner/clients/<int:client_id>/diary")
@clinical_required
def client_diary(client_id: int):
    client = get_client_or_404(client_id)
    instruments = custom.catalogue()
    by_code = progress.responses_by_code(client.id)
    charts = progress.score_charts(by_code, instruments)
    assignments = db.session.execute(db.select(Assignment).filter_by(client_id=client.id, active=True)).scalars()
    today = _today(client.timezone)
    html = render_template(
        "questionnaires/client_diary.html",
        client=client,
        bristol=dict(BRISTOL_LABELS),
        licence_note=responses.licence_sentence(responses.without_words()),
        can_send=responses.can_send,
        overview=diary_entries.overview(client.id, today, _span()),
        triggers=_triggers(client.id, today, "her"),
        spans=diary_entries.TIMELINE_SPANS,
        by_code=by_code,
        charts=charts,
        instruments=instruments,
        assignments=list(assignments),
        assign_form=_assign_form(),
    )
    audit.record("view", client.id, "trigger_finder", client.id)  # committed after rendering, as the case file
    db.session.commit()
    return html


# Questionnaires: the client answers, the practitioner assigns and reads -----------------------------------------


def _assign_form() -> AssignForm:
    """The send form, offering the validated instruments and her own published questionnaires."""
    form = AssignForm()
    form.code.choices = _choices()
    return form


def _choices() -> list:
    return assign_choices(responses.sendable_codes(current_user.id), custom.sendable(current_user.id))


def _licensed_content() -> dict | None:
    return current_app.config["LICENSED_CONTENT"]  # LICENSED_CONTENT_FILE, read and checked at start-up


NOT_READY = "This questionnaire isn't ready yet. Your practitioner will let you know when it is."


def _own_response(response_id: int) -> QuestionnaireResponse:
    response = get_own_or_404(QuestionnaireResponse, response_id, "client_id")
    if response.status != ResponseStatus.DRAFT:
        flash("This questionnaire has been sent already. Thank you.", "info")
        abort(redirect(url_for("home.client_home")))
    if not responses.can_send(response.code):  # licensed wording unloaded since it was sent: never "Question 1"
        flash(NOT_READY, "info")
        abort(redirect(url_for("home.client_home")))
    return response


@bp.get("/me/questionnaires/<int:assignment_id>")
@client_required
def start(assignment_id: int):
    assignment = get_own_or_404(Assignment, assignment_id, "client_id")
    if not assignment.active:
        flash("This questionnaire is not waiting for you any more.", "info")
        return redirect(url_for("home.client_home"))
    if not responses.can_send(assignment.code):
        flash(NOT_READY, "info")
        return redirect(url_for("home.client_home"))
    draft = responses.draft_for(assignment)
    step = responses.next_step(responses.instrument_for(draft.code, None, draft.version), draft.answers)
    if step is None:
        return redirect(url_for("questionnaires.review", response_id=draft.id))
    return redirect(url_for("questionnaires.answer", response_id=draft.id, step=step))


@bp.route("/me/responses/<int:response_id>/<int:step>", methods=["GET", "POST"])
@client_required
def answer(response_id: int, step: int):
    response = _own_response(response_id)
    instrument = responses.instrument_for(response.code, _licensed_content(), response.version)
    items = responses.items_to_ask(instrument, response.answers)
    if not 1 <= step <= len(items):
        abort(404)
    item, form, error = items[step - 1], AnswerForm(), None
    if form.validate_on_submit():
        try:
            responses.save_answer(response, item, responses.parse_answer(item, request.form.getlist("answer")))
        except ResponseError as problem:
            error = str(problem)
        else:
            following = responses.next_step(instrument, response.answers)  # a "no" may skip questions
            if following is None:
                return redirect(url_for("questionnaires.review", response_id=response.id))
            return redirect(url_for("questionnaires.answer", response_id=response.id, step=following))
    return render_template(
        "questionnaires/answer.html",
        response=response,
        instrument=instrument,
        item=item,
        step=step,
        steps=len(items),
        form=form,
        error=error,
        current=response.answers.get(item.key),
    ), 422 if error else 200


@bp.route("/me/responses/<int:response_id>/review", methods=["GET", "POST"])
@client_required
def review(response_id: int):
    response = _own_response(response_id)
    instrument = responses.instrument_for(response.code, _licensed_content(), response.version)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            responses.submit(response, _today(current_user.timezone))
        except ResponseError as problem:
            flash(str(problem), "error")
        else:
            flash(f"Thank you. Your answers ({instrument.plain_title}) have been sent to your practitioner.", "success")
            return redirect(url_for("home.client_home"))
    items = responses.items_to_ask(instrument, response.answers)
    return render_template(
        "questionnaires/review.html", response=response, instrument=instrument, items=items, form=form
    )


@bp.post("/practitioner/clients/<int:client_id>/assignments")
@clinical_required
def assign(client_id: int):
    client = get_client_or_404(client_id)
    form = _assign_form()
    if form.validate_on_submit():
        try:
            responses.assign(
                client,
                form.code.data,
                int(form.every.data) if form.every.data else None,
                _today(client.timezone),
                current_user,
            )
        except ResponseError as problem:
            flash(str(problem), "error")
        else:
            flash(f"{client.name} will see it on her home page.", "success")
    else:
        held = _held_sentence(request.form.getlist("code"))
        flash(held or " ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("questionnaires.client_diary", client_id=client.id) + "#questionnaires")


# Her own questionnaires and the intake set ---------------------------------------------------------------------


def _own_questionnaire(questionnaire_id: int) -> CustomQuestionnaire:
    return get_own_or_404(CustomQuestionnaire, questionnaire_id, "practitioner_id")


def _intake_form(rules) -> IntakeForm:
    form = IntakeForm(data={"codes": rules.intake_codes} if request.method == "GET" else None)
    form.codes.choices = _choices()
    return form


@bp.route("/practitioner/questionnaires/", methods=["GET", "POST"])
@clinical_required
def library():
    form = QuestionnaireForm(prefix="new")
    if form.validate_on_submit():
        try:
            made = custom.create_questionnaire(
                current_user, form.title.data, form.description.data, form.sum_score.data
            )
        except CustomError as problem:
            form.title.errors.append(str(problem))
        else:
            flash("Now add its questions, then publish it.", "success")
            return redirect(url_for("questionnaires.edit_questionnaire", questionnaire_id=made.id))
    rules = bookings.rules_for(current_user.id)
    return render_template(
        "questionnaires/library.html",
        entries=custom.library(current_user.id),
        form=form,
        intake_form=_intake_form(rules),
        licence_note=responses.licence_sentence(responses.without_words()),
        intake_held=_held_titles(rules.intake_codes),
    ), 422 if form.errors else 200


def _held_titles(codes: list[str]) -> list[str]:
    """Licensed questionnaires in a saved intake set that can't be sent now (their wording was unloaded)."""
    return [i.title for i in responses.without_words() if i.code in codes]


@bp.post("/practitioner/questionnaires/intake")
@clinical_required
def save_intake():
    rules = bookings.rules_for(current_user.id)
    form = _intake_form(rules)
    if form.validate_on_submit():
        try:
            responses.save_intake_set(rules, form.codes.data)
        except ResponseError as problem:
            flash(str(problem), "error")
            return redirect(url_for("questionnaires.library") + "#intake")
        flash(
            "Saved. New clients will find these on their home page after their first booking."
            if form.codes.data
            else "Saved. New clients are sent no questionnaires when they first book.",
            "success",
        )
    else:
        flash(_held_sentence(request.form.getlist("codes")) or "Choose questionnaires from the list.", "error")
    return redirect(url_for("questionnaires.library") + "#intake")


def _held_sentence(codes: list[str]) -> str:
    """Why a licensed questionnaire asked for can't be sent (it is not among the choices), or ""."""
    return responses.licence_sentence([i for i in responses.without_words() if i.code in codes])


def _edit_page(
    questionnaire: CustomQuestionnaire,
    details: QuestionnaireForm | None = None,
    question: QuestionForm | None = None,
    status: int = 200,
):
    versions = (
        db.session.execute(
            db.select(CustomQuestionnaireVersion)
            .filter_by(questionnaire_id=questionnaire.id)
            .order_by(CustomQuestionnaireVersion.number.desc())
        )
        .scalars()
        .all()
    )
    latest = versions[0] if versions else None
    return render_template(
        "questionnaires/edit.html",
        questionnaire=questionnaire,
        versions=versions,
        details=details or QuestionnaireForm(obj=questionnaire),
        question=question or QuestionForm(),
        changed=custom.has_unpublished_changes(questionnaire, latest),
        kinds=custom.KINDS,
        action=AnswerForm(),
    ), status


@bp.get("/practitioner/questionnaires/<int:questionnaire_id>")
@clinical_required
def edit_questionnaire(questionnaire_id: int):
    return _edit_page(_own_questionnaire(questionnaire_id))


@bp.post("/practitioner/questionnaires/<int:questionnaire_id>/details")
@clinical_required
def save_details(questionnaire_id: int):
    questionnaire = _own_questionnaire(questionnaire_id)
    form = QuestionnaireForm()
    if not form.validate_on_submit():
        return _edit_page(questionnaire, details=form, status=422)
    try:
        custom.update_details(questionnaire, form.title.data, form.description.data, form.sum_score.data)
    except CustomError as problem:  # a title of nothing but spaces, say
        form.title.errors = [*form.title.errors, str(problem)]
        return _edit_page(questionnaire, details=form, status=422)
    flash("Saved. Publish to send the change to clients.", "success")
    return redirect(url_for("questionnaires.edit_questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/practitioner/questionnaires/<int:questionnaire_id>/questions")
@clinical_required
def add_question(questionnaire_id: int):
    questionnaire = _own_questionnaire(questionnaire_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            custom.add_item(
                questionnaire,
                text=form.text.data,
                kind=form.kind.data,
                options_text=form.options.data,
                required=form.required.data,
                low=float(form.low.data) if form.low.data is not None else None,
                high=float(form.high.data) if form.high.data is not None else None,
            )
        except CustomError as problem:
            target = form.options if "answer" in str(problem).lower() else form.text
            target.errors = [*target.errors, str(problem)]
        else:
            flash("Question added.", "success")
            return redirect(
                url_for("questionnaires.edit_questionnaire", questionnaire_id=questionnaire.id) + "#add-question"
            )
    return _edit_page(questionnaire, question=form, status=422)


@bp.post("/practitioner/questionnaires/<int:questionnaire_id>/questions/<key>/<any(up, down, remove):change>")
@clinical_required
def change_question(questionnaire_id: int, key: str, change: str):
    questionnaire = _own_questionnaire(questionnaire_id)
    if AnswerForm().validate_on_submit():
        if change == "remove":
            custom.remove_item(questionnaire, key)
            flash("Question removed from the draft. Versions already published keep it.", "success")
        else:
            custom.move_item(questionnaire, key, -1 if change == "up" else 1)
    return redirect(url_for("questionnaires.edit_questionnaire", questionnaire_id=questionnaire.id) + "#questions")


@bp.post("/practitioner/questionnaires/<int:questionnaire_id>/<any(publish, archive, restore):change>")
@clinical_required
def change_questionnaire(questionnaire_id: int, change: str):
    questionnaire = _own_questionnaire(questionnaire_id)
    if not AnswerForm().validate_on_submit():
        abort(400)
    if change == "publish":
        try:
            version = custom.publish(questionnaire)
        except CustomError as problem:
            flash(str(problem), "error")
        else:
            flash(
                f"Version {version.number} published. Questionnaires you send from now on use it; answers "
                f"already given keep the version they were answered on.",
                "success",
            )
    else:
        custom.set_archived(questionnaire, change == "archive")
        flash(
            "Archived: it can't be sent any more; answers stay readable."
            if change == "archive"
            else "Restored: you can send it again.",
            "success",
        )
    return redirect(url_for("questionnaires.edit_questionnaire", questionnaire_id=questionnaire.id))
