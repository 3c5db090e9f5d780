"""Consent and policy pages: the practitioner's documents (draft, publish), the client's signing page and her
signed documents, and the PDF of a signature for either side."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import client_required, clinical_required, get_client_or_404, get_own_or_404
from portal.consent import documents, pdf
from portal.consent.documents import ConsentError, VersionOutOfDate
from portal.consent.forms import DocumentForm, NewDocumentForm, PublishForm, SignForm
from portal.extensions import db
from portal.inputs import whole_number
from portal.models import ConsentSignature, ConsentVersion, User
from portal.security import safe_next

bp = Blueprint("consent", __name__)


# The practitioner's documents -------------------------------------------------------------------------------


@bp.get("/practitioner/documents")
@clinical_required
def documents_page():
    return render_template(
        "consent/documents.html",
        documents=documents.all_documents(),
        form=NewDocumentForm(),
        has_changes=documents.has_unpublished_changes,
    )


@bp.post("/practitioner/documents")
@clinical_required
def new_document():
    form = NewDocumentForm()
    if form.validate_on_submit():
        try:
            document = documents.create_document(form.kind.data, form.title.data or "", current_user)
        except ConsentError as error:
            form.title.errors = [*form.title.errors, str(error)]
        else:
            return redirect(url_for("consent.edit_document", document_id=document.id))
    page = render_template(
        "consent/documents.html",
        documents=documents.all_documents(),
        form=form,
        has_changes=documents.has_unpublished_changes,
    )
    return page, 422


def _document_or_404(document_id: int):
    return documents.document_with_versions(document_id) or abort(404)


def _editor(document, form: DocumentForm, status: int = 200):
    return (
        render_template(
            "consent/edit.html",
            document=document,
            form=form,
            publish_form=PublishForm(data={"seen": documents.draft_fingerprint(document)}),
            has_changes=documents.has_unpublished_changes(document),
            paragraphs=documents.paragraphs,
        ),
        status,
    )


@bp.route("/practitioner/documents/<int:document_id>", methods=["GET", "POST"])
@clinical_required
def edit_document(document_id: int):
    """Her draft: saving changes only the draft; the published versions stay as they were."""
    document = _document_or_404(document_id)
    if request.method == "GET":
        return _editor(document, DocumentForm(data={"title": document.title, "text": document.text}))
    form = DocumentForm()
    if not form.validate_on_submit():
        return _editor(document, form, 422)
    try:
        documents.save_draft(document, form.title.data or "", form.text.data or "")
    except ConsentError as error:
        form.text.errors = [*form.text.errors, str(error)]
        return _editor(document, form, 422)
    flash("Draft saved. Clients see it once you publish it.", "success")
    return redirect(url_for("consent.edit_document", document_id=document.id))


@bp.post("/practitioner/documents/<int:document_id>/publish")
@clinical_required
def publish(document_id: int):
    document = _document_or_404(document_id)
    form = PublishForm()
    if not form.validate_on_submit():
        flash("This page is out of date. Please look the draft over and publish again.", "error")
        return redirect(url_for("consent.edit_document", document_id=document.id))
    try:
        version = documents.publish(document, current_user, form.seen.data or "")
    except ConsentError as error:
        flash(str(error), "error")
    else:
        flash(
            f"Published version {version.number}. Clients sign it before their next booking.",
            "success",
        )
    return redirect(url_for("consent.edit_document", document_id=document.id))


# The client's side ------------------------------------------------------------------------------------------


def _next_target() -> str | None:
    return safe_next(request.args.get("next"))


@bp.route("/me/consent", methods=["GET", "POST"])
@client_required
def sign():
    """The documents she has not signed yet, one at a time; then back to where she was (her booking)."""
    target = _next_target()
    waiting = documents.unsigned_versions(current_user.id)
    form = SignForm()
    status = 200
    if request.method == "POST":
        chosen = whole_number(form.version_id.data or "")
        version = db.session.get(ConsentVersion, chosen) if chosen is not None else None
        if version is None:
            form.version_id.errors = ["This page is out of date or was changed. Please reload it and try again."]
            status = 422
        elif form.validate_on_submit():
            try:
                documents.sign(
                    current_user,
                    version,
                    form.full_name.data or "",
                    bool(form.agree.data),
                    ip_address=request.remote_addr or "",
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except VersionOutOfDate as error:
                flash(str(error), "error")
                return redirect(url_for("consent.sign", next=target))
            except ConsentError as error:
                form.full_name.errors = [*form.full_name.errors, str(error)]
                status = 422
            else:
                flash(f"Thank you: you have signed “{version.title}”.", "success")
                return redirect(url_for("consent.sign", next=target))
        else:
            status = 422
    if not waiting:
        if target:
            return redirect(target)
        return redirect(url_for("consent.my_documents"))
    if status == 200:
        form = SignForm(formdata=None, data={"version_id": str(waiting[0].id), "full_name": ""})
    version = next((v for v in waiting if str(v.id) == (form.version_id.data or "")), waiting[0])
    form.version_id.data = str(version.id)
    page = render_template(
        "consent/sign.html",
        version=version,
        form=form,
        paragraphs=documents.paragraphs(version.text),
        count=len(waiting),
        target=target,
    )
    return page, status


@bp.get("/me/documents")
@client_required
def my_documents():
    return render_template(
        "consent/mine.html",
        signatures=documents.signatures_of(current_user.id),
        waiting=documents.unsigned_versions(current_user.id),
    )


def _pdf_response(signature: ConsentSignature, client: User):
    version = db.session.get(ConsentVersion, signature.version_id)
    assert version is not None  # a signature's version is never deleted
    body = pdf.signature_pdf(signature, version, client)
    documents.record_download(signature)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf.filename(signature)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/me/documents/<int:signature_id>.pdf")
@client_required
def my_pdf(signature_id: int):
    signature = get_own_or_404(ConsentSignature, signature_id, "client_id")
    return _pdf_response(signature, current_user)


@bp.get("/practitioner/clients/<int:client_id>/documents/<int:signature_id>.pdf")
@clinical_required
def client_pdf(client_id: int, signature_id: int):
    client = get_client_or_404(client_id)
    signature = db.session.get(ConsentSignature, signature_id)
    if signature is None or signature.client_id != client.id:
        abort(404)
    return _pdf_response(signature, client)
