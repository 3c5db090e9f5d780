"""The practitioner's client list and search, each client's case file, case notes and note templates.

Only the practitioner sees any of it: a client gets 404 on every URL here, like any page not hers.
Each page that shows health data adds a "view" row to the audit trail and commits it after rendering,
so the loaded rows are not expired (and reloaded one by one) by the commit.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.access import clinical_required, get_client_or_404, visible_clients
from portal.consent import documents as consent_documents
from portal.cases import casefile, notes, search
from portal.challenges import challenges, effect
from portal.cases import templates as note_templates
from portal.cases.forms import AmendForm, NewNoteForm, NoteForm, TemplateForm
from portal.cases.notes import NoteConflict, NoteError
from portal.cases.templates import Section, TemplateError
from portal.db_types import utcnow
from portal.extensions import db
from portal.forms import select_choices
from portal.inputs import whole_number
from portal.models import Booking, Note, User
from portal.records import profiles
from portal.timeutil import local_datetime
from portal.triggers import loader as trigger_loader

bp = Blueprint("cases", __name__)


def _note_or_404(note_id: int) -> Note:
    note = notes.note_for_practitioner(note_id, current_user.id)
    if note is None:
        abort(404)
    return note


def _today_for(user: User):
    return utcnow().astimezone(ZoneInfo(user.timezone)).date()


def _rendered_with_audit(template: str, client_id: int, what: str, what_id: int, **context) -> str:
    html = render_template(template, **context)
    audit.record("view", client_id, what, what_id)
    db.session.commit()
    return html


# Clients and the case file --------------------------------------------------------------------------------


@bp.get("/practitioner/clients")
@clinical_required
def clients():
    query = request.args.get("q", "")[: search.MAX_QUERY]
    page = whole_number(request.args.get("page"), 1) or 1
    found = search.search_clients(query, utcnow(), page, scope=visible_clients)
    if query.strip() and found.total == 1 and page == 1:
        return redirect(url_for("cases.case_file", client_id=found.rows[0].client.id))
    unsigned = consent_documents.clients_missing_consent([row.client.id for row in found.rows])
    return render_template("cases/clients.html", query=query, found=found, now=utcnow(), unsigned=unsigned)


@bp.get("/practitioner/clients/<int:client_id>")
@clinical_required
def case_file(client_id: int):
    client = get_client_or_404(client_id)
    note_templates.ensure_shipped(current_user)
    today = _today_for(client)
    without_period = trigger_loader.without_period_asked(request.args.get("without_period"))
    case = casefile.load_case_file(client, current_user, today, utcnow(), without_period=without_period)
    return _rendered_with_audit(
        "cases/case_file.html",
        client.id,
        "case_file",
        client.id,
        case=case,
        client=client,
        today=today,
        age_on=casefile.age_on,
        new_note_form=_new_note_form(case.templates, [], None),
        profile_fields=profiles.FIELDS,
        profile_labels=profiles.LABELS,
        consent=consent_documents.consent_status(client.id),
        challenges=challenges.in_case_file(client.id, today),
        effects=effect.case_file_effects(
            client.id, client.timezone, case.handouts, [r for s in case.scores for r in s.responses], today
        ),
    )


def _new_note_form(templates, bookings: list[Booking], booking_id: int | None) -> NewNoteForm:
    if request.method == "GET":
        booking = next((b for b in bookings if b.id == booking_id), None)
        suggested = note_templates.suggested_for(templates, booking.service.name if booking else "")
        form = NewNoteForm(booking_id=booking.id if booking else 0, template_id=suggested.id if suggested else None)
    else:
        form = NewNoteForm()
    form.template_id.choices = select_choices((t.id, t.name) for t in templates)
    form.booking_id.choices = select_choices(
        [(0, "No session: a note between sessions")]
        + [
            (b.id, f"{local_datetime(b.starts_at, current_user.timezone, 'EEE d MMM y, HH:mm')} · {b.service.name}")
            for b in bookings
        ]
    )
    return form


@bp.route("/practitioner/clients/<int:client_id>/notes/new", methods=["GET", "POST"])
@clinical_required
def new_note(client_id: int):
    client = get_client_or_404(client_id)
    note_templates.ensure_shipped(current_user)
    templates = note_templates.templates_of(current_user.id)
    bookings = casefile.bookings_for_notes(client.id)
    form = _new_note_form(templates, bookings, whole_number(request.args.get("booking")))
    if form.validate_on_submit():
        template = note_templates.template_of(current_user.id, form.template_id.data)
        booking = next((b for b in bookings if b.id == form.booking_id.data), None)
        if template is None or (form.booking_id.data and booking is None):
            abort(404)
        title = template.name + (
            f" · {local_datetime(booking.starts_at, current_user.timezone, 'd MMM y')}" if booking else ""
        )
        context = casefile.note_context(client, _today_for(client), current_user.timezone)
        note = notes.start_note(client, current_user, template, booking=booking, context=context, title=title)
        return redirect(url_for("cases.note", note_id=note.id))
    return render_template("cases/new_note.html", client=client, form=form), 422 if form.errors else 200


# Notes ------------------------------------------------------------------------------------------------


def _note_form(note: Note) -> NoteForm:
    if request.method == "GET":
        return NoteForm(
            data={
                "title": note.title,
                "revision": note.revision,
                "sections": [s["text"] for s in notes.sections_of(note)],
            }
        )
    return NoteForm()


def _texts(form: NoteForm) -> list[str]:
    return [entry.data or "" for entry in form.sections]


@bp.route("/practitioner/notes/<int:note_id>", methods=["GET", "POST"])
@clinical_required
def note(note_id: int):
    note = _note_or_404(note_id)
    if note.is_signed:
        if request.method == "POST":
            flash(str(notes.NoteLocked()), "error")
            return redirect(url_for("cases.note", note_id=note.id))
        return _signed_page(note, AmendForm())
    form, problem, status = _note_form(note), None, 200
    if form.validate_on_submit():
        signing = request.form.get("action") == "sign"
        try:
            notes.save_draft(note, form.revision.data, form.title.data, _texts(form))
            if signing:
                notes.sign_note(note, note.revision, current_user)
        except NoteConflict as conflict:
            problem, status = str(conflict), 409
        except NoteError as error:
            problem, status = str(error), 422
        else:
            flash("Signed and locked. Later changes go in as amendments." if signing else "Draft saved.", "success")
            return redirect(url_for("cases.note", note_id=note.id))
    elif form.errors:
        status = 422
    if problem:
        note = _note_or_404(note_id)  # as stored now (a failed save rolled back and expired what was loaded)
        if status != 409:
            form.revision.data, form.revision.raw_data = note.revision, None  # saved, not signed: build on it
    return _rendered_with_audit(
        "cases/note_edit.html",
        note.client_id,
        "note",
        note.id,
        note=note,
        form=form,
        sections=notes.sections_of(note),
        problem=problem,
        status_conflict=status == 409,
    ), status


def _signed_page(note: Note, amend_form: AmendForm, status: int = 200):
    return _rendered_with_audit(
        "cases/note_signed.html",
        note.client_id,
        "note",
        note.id,
        note=note,
        sections=notes.sections_of(note),
        amend_form=amend_form,
        seal=notes.verify_seal(note, note.amendments),
    ), status


def _first_error(errors) -> str:
    """The first message in WTForms' errors, which nest as lists inside dicts for a FieldList."""
    values = errors.values() if isinstance(errors, dict) else errors
    for value in values:
        found = value if isinstance(value, str) else _first_error(value)
        if found:
            return found
    return ""


@bp.post("/practitioner/notes/<int:note_id>/autosave")
@clinical_required
def autosave(note_id: int):
    """The draft sent by the page's autosave script; answers JSON. 409 tells an older tab to stop."""
    note = _note_or_404(note_id)
    form = NoteForm()
    if not form.validate():
        message = _first_error(form.errors) or "Part of the note could not be saved: use Save draft."
        return jsonify(ok=False, error=message), 422
    try:
        notes.save_draft(note, form.revision.data, form.title.data, _texts(form))
    except NoteConflict as conflict:
        return jsonify(ok=False, conflict=True, error=str(conflict), revision=conflict.revision), 409
    except NoteError as error:
        return jsonify(ok=False, conflict=note.is_signed, error=str(error)), 409 if note.is_signed else 422
    return jsonify(
        ok=True, revision=note.revision, saved_at=local_datetime(note.updated_at, current_user.timezone, "HH:mm:ss")
    )


@bp.post("/practitioner/notes/<int:note_id>/amendments")
@clinical_required
def amend(note_id: int):
    note = _note_or_404(note_id)
    form = AmendForm()
    if form.validate_on_submit():
        try:
            notes.amend_note(note, current_user, form.reason.data, form.text.data)
        except NoteError as error:
            form.text.errors.append(str(error))
            note = _note_or_404(note_id)  # as stored now (a refused amendment rolled back)
        else:
            flash("Amendment added. The original stays as it was signed.", "success")
            return redirect(url_for("cases.note", note_id=note.id) + "#history")
    if not note.is_signed:
        abort(404)
    return _signed_page(note, form, 422)


# Note templates -----------------------------------------------------------------------------------------


@bp.get("/practitioner/note-templates")
@clinical_required
def templates():
    note_templates.ensure_shipped(current_user)
    return render_template(
        "cases/templates.html", templates=note_templates.templates_of(current_user.id, include_archived=True)
    )


@bp.route("/practitioner/note-templates/new", methods=["GET", "POST"], defaults={"template_id": None})
@bp.route("/practitioner/note-templates/<int:template_id>", methods=["GET", "POST"])
@clinical_required
def edit_template(template_id: int | None):
    template = None
    if template_id is not None:
        template = note_templates.template_of(current_user.id, template_id)
        if template is None:
            abort(404)
    if request.method == "GET":
        sections = template.sections if template else note_templates.as_dicts(note_templates.DEFAULT_SECTIONS)
        form = TemplateForm(
            data={
                "name": template.name if template else "",
                "archived": template.archived if template else False,
                "sections": sections + [{}] * (note_templates.MAX_SECTIONS - len(sections)),
            }
        )
    else:
        form = TemplateForm()
    problem = None
    if form.validate_on_submit():
        try:
            note_templates.save_template(
                template,
                current_user,
                name=form.name.data,
                archived=form.archived.data,
                sections=[Section(s.title.data or "", s.prompt.data or "") for s in form.sections],
            )
        except TemplateError as error:
            problem = str(error)
        else:
            flash("Template saved. Notes already started keep the sections they had.", "success")
            return redirect(url_for("cases.templates"))
    status = 422 if problem or form.errors else 200
    return render_template("cases/template_form.html", form=form, template=template, problem=problem), status
