"""The journal's own pages: a meal photo (for the client and her care team only) and the practitioner's trigger
list (/practitioner/journal/tags). The diary day itself is questionnaires' /me/diary/."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from portal import audit
from portal.access import clinical_required, get_clinical_row_or_404
from portal.extensions import db
from portal.journal import tags
from portal.journal.forms import ArchiveTagForm, RenameTagForm, TagForm
from portal.journal.tags import TagError
from portal.models import DiaryMealPhoto, TriggerTag

bp = Blueprint("journal", __name__)


@bp.get("/diary/photos/<int:photo_id>")
@login_required
def photo(photo_id: int):
    found = get_clinical_row_or_404(DiaryMealPhoto, photo_id)
    content = found.content
    audit.record("view", found.client_id, "diary_meal_photo", found.id)
    db.session.commit()
    response = send_file(io.BytesIO(content), mimetype=found.content_type, conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _tag_page(add_form: TagForm, rename_errors: dict[int, tuple[str, str]] | None = None, status: int = 200):
    listed = tags.all_tags(include_archived=True)
    return (
        render_template(
            "journal/tags.html",
            groups=tags.grouped([t for t in listed if t.archived_at is None]),
            archived=[t for t in listed if t.archived_at is not None],
            form=add_form,
            rename_form=RenameTagForm(formdata=None),
            archive_form=ArchiveTagForm(formdata=None),
            rename_errors=rename_errors or {},
        ),
        status,
    )


@bp.route("/practitioner/journal/tags", methods=["GET", "POST"])
@clinical_required
def tag_list():
    form = TagForm()
    if form.validate_on_submit():
        try:
            tag = tags.add_tag(form.label.data, form.group.data, current_user)
        except TagError as error:
            form.label.errors = [*form.label.errors, str(error)]
        else:
            flash(f"Added “{tag.label}” to the trigger list.", "success")
            return redirect(url_for("journal.tag_list"))
    return _tag_page(form, status=422 if form.errors else 200)


def _own_tag_or_404(tag_id: int) -> TriggerTag:
    tag = db.session.get(TriggerTag, tag_id)
    if tag is None:
        abort(404)
    return tag


@bp.post("/practitioner/journal/tags/<int:tag_id>/rename")
@clinical_required
def rename(tag_id: int):
    tag = _own_tag_or_404(tag_id)
    form = RenameTagForm()
    if form.validate_on_submit():
        try:
            tags.rename_tag(tag, form.label.data)
        except TagError as error:
            form.label.errors = [*form.label.errors, str(error)]
        else:
            flash(f"Renamed to “{tag.label}”.", "success")
            return redirect(url_for("journal.tag_list"))
    message = " ".join(form.label.errors) or "This page is out of date. Please reload it and try again."
    return _tag_page(TagForm(formdata=None), {tag.id: (form.label.data or "", message)}, 422)


@bp.post("/practitioner/journal/tags/<int:tag_id>/archive")
@bp.post("/practitioner/journal/tags/<int:tag_id>/restore", endpoint="restore")
@clinical_required
def archive(tag_id: int):
    tag = _own_tag_or_404(tag_id)
    form = ArchiveTagForm()
    if not form.validate_on_submit():
        flash("This page is out of date. Please reload it and try again.", "error")
        return redirect(url_for("journal.tag_list"))
    archiving = request.endpoint == "journal.archive"
    try:
        tags.set_archived(tag, archiving)
    except TagError as error:
        flash(str(error), "error")
    else:
        flash(f"“{tag.label}” is {'off the diary form' if archiving else 'back on the diary form'}.", "success")
    return redirect(url_for("journal.tag_list"))
