"""Health records pages: the client's details (hers and the practitioner's view), the audit trail,
the data export and the erasure of a client."""

from __future__ import annotations

import io
import logging

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from portal import audit
from portal.access import client_required, clinical_required, get_client_or_404, owner_required
from portal.accounts.passwords import verify_password
from portal.extensions import db, limiter
from portal.models import User
from portal.records import erasure, export, profiles
from portal.records.forms import ClientExportForm, ProfileForm, TypedConfirmationForm

bp = Blueprint("records", __name__)
log = logging.getLogger(__name__)


def _case_file_url(client_id: int) -> str | None:
    """The case file page, when the cases area is installed."""
    try:
        return url_for("cases.case_file", client_id=client_id)
    except BuildError:
        return None


def _edit_profile(client: User, template: str, done_url: str, **context):
    """Show and save a profile form; the same for the client and the practitioner."""
    profile = profiles.profile_for(client.id)
    form = ProfileForm(obj=profile) if request.method == "GET" else ProfileForm()
    if request.method == "GET":
        form.version.data = str(profile.version) if profile else "0"
    stale = False
    if form.validate_on_submit():
        expected = int(form.version.data) if form.version.data else None
        try:
            change = profiles.save_profile(client.id, current_user.id, form.profile_values(), expected)
        except profiles.StaleProfile:
            db.session.rollback()
            stale = True
            profile = profiles.profile_for(client.id)
            assert profile is not None  # a stale version means another save made it
            form.version.data = str(profile.version)  # saving again applies what is on screen
        else:
            db.session.commit()
            log.info("profile saved for client %s (%s fields)", client.id, len(change.field_names) if change else 0)
            flash("Saved." if change else "Nothing had changed.", "success")
            return redirect(done_url)
    return render_template(
        template,
        client=client,
        profile=profile,
        form=form,
        stale=stale,
        labels=profiles.LABELS,
        fields=profiles.FIELDS,
        **context,
    )


# The client's own details and export ----------------------------------------------------------------------------


@bp.route("/me/profile", methods=["GET", "POST"])
@client_required
def my_profile():
    return _edit_profile(current_user, "records/my_profile.html", url_for("records.my_profile"))


@bp.route("/me/export", methods=["GET", "POST"])
@client_required
@limiter.limit("10 per hour", methods=["POST"])
def my_export():
    form = ClientExportForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            return _download(current_user, for_practitioner=False)
        form.password.errors.append("That is not your password. Please try again.")
    return render_template("records/my_export.html", form=form)


def _download(client: User, *, for_practitioner: bool):
    archive = export.build_archive(
        client, for_practitioner=for_practitioner, notes_author_id=current_user.id if for_practitioner else None
    )
    audit.record("export", client.id, "export")
    db.session.commit()
    response = send_file(
        io.BytesIO(archive.content), mimetype="application/zip", as_attachment=True, download_name=archive.filename
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# The practitioner's pages for one client ------------------------------------------------------------------------


@bp.route("/practitioner/clients/<int:client_id>/profile", methods=["GET", "POST"])
@clinical_required
def client_profile(client_id: int):
    client = get_client_or_404(client_id)
    page = _edit_profile(
        client,
        "records/client_profile.html",
        url_for("records.client_profile", client_id=client.id),
        changes=profiles.profile_changes(client.id),
        change_values=profiles.change_values,
        case_file_url=_case_file_url(client.id),
    )
    if request.method == "GET":
        audit.record("view", client.id, "profile", client.id)
        db.session.commit()
    return page


@bp.get("/practitioner/clients/<int:client_id>/audit")
@clinical_required
def client_audit(client_id: int):
    client = get_client_or_404(client_id)
    return render_template(
        "records/client_audit.html",
        client=client,
        events=audit.events_for_client(client.id),
        case_file_url=_case_file_url(client.id),
    )


@bp.route("/practitioner/clients/<int:client_id>/export", methods=["GET", "POST"])
@clinical_required
def client_export(client_id: int):
    client = get_client_or_404(client_id)
    form = TypedConfirmationForm()
    if form.validate_on_submit():
        if erasure.confirmation_matches(client, form.confirmation.data):
            return _download(client, for_practitioner=True)
        form.confirmation.errors.append("That is not this client's e-mail address.")
    return render_template(
        "records/client_export.html", client=client, form=form, case_file_url=_case_file_url(client.id)
    )


@bp.route("/practitioner/clients/<int:client_id>/erase", methods=["GET", "POST"])
@owner_required
def client_erase(client_id: int):
    client = get_client_or_404(client_id)
    form = TypedConfirmationForm()
    if form.validate_on_submit():
        if erasure.confirmation_matches(client, form.confirmation.data):
            erasure.erase_client(client)
            db.session.commit()
            log.info("client %s erased", client_id)
            flash("The client's health data and account are erased. Her payment records are kept.", "success")
            return redirect(url_for("home.practitioner_home"))
        form.confirmation.errors.append("That is not this client's e-mail address.")
    return render_template(
        "records/client_erase.html",
        client=client,
        form=form,
        kept=sorted(erasure.KEPT_TABLES),
        case_file_url=_case_file_url(client.id),
    )
