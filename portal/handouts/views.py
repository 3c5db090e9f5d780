"""Protocol library, composing and publishing a session's handout (practitioner); downloading (both)."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from portal.access import client_required, clinical_required, get_client_or_404, get_own_or_404
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.handouts.forms import ComposeForm, ItemForm, SettingsForm
from portal.handouts.handouts import HandoutError
from portal.handouts.protocols import ItemText, ProtocolError
from portal.inputs import whole_number
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import ProtocolItem, PublishedHandout
from portal.models.handouts import CATEGORY_LABELS
from portal.security import CONTENT_SECURITY_POLICY

bp = Blueprint("handouts", __name__)
log = logging.getLogger(__name__)


# The library -------------------------------------------------------------------------------------------------


@bp.get("/practitioner/handouts/library")
@clinical_required
def library():
    return render_template(
        "handouts/library.html",
        items=protocols.library(current_user.id),
        archived=protocols.library(current_user.id, archived=True),
        categories=CATEGORY_LABELS,
    )


def _item_text(form) -> ItemText:
    return ItemText(
        category=form.category.data,
        title=form.title.data or "",
        dose=form.dose.data or "",
        timing=form.timing.data or "",
        duration=form.duration.data or "",
        instructions=form.instructions.data or "",
        rationale=form.rationale.data or "",
    )


def _item_page(form: ItemForm, item: ProtocolItem | None):
    if form.validate_on_submit():
        saved = protocols.save_item(item, current_user, _item_text(form))
        flash(f"“{saved.title}” is saved in your library.", "success")
        return redirect(url_for("handouts.library"))
    return render_template("handouts/item_form.html", form=form, item=item), 422 if form.errors else 200


@bp.route("/practitioner/handouts/library/new", methods=["GET", "POST"])
@clinical_required
def new_item():
    return _item_page(ItemForm(), None)


@bp.route("/practitioner/handouts/library/<int:item_id>", methods=["GET", "POST"])
@clinical_required
def edit_item(item_id: int):
    item = get_own_or_404(ProtocolItem, item_id, "practitioner_id")
    return _item_page(ItemForm(obj=item), item)


@bp.post("/practitioner/handouts/library/<int:item_id>/archive")
@clinical_required
def archive_item(item_id: int):
    item = get_own_or_404(ProtocolItem, item_id, "practitioner_id")
    protocols.archive_item(item)  # CSRFProtect has checked the token of every POST
    flash(f"“{item.title}” is archived. Protocols that use it keep their copy.", "success")
    return redirect(url_for("handouts.library"))


@bp.post("/practitioner/handouts/library/<int:item_id>/restore")
@clinical_required
def restore_item(item_id: int):
    item = get_own_or_404(ProtocolItem, item_id, "practitioner_id")
    protocols.restore_item(item)
    flash(f"“{item.title}” is back in your library.", "success")
    return redirect(url_for("handouts.library"))


# Settings ----------------------------------------------------------------------------------------------------


@bp.route("/practitioner/handouts/settings", methods=["GET", "POST"])
@clinical_required
def settings_page():
    settings = handouts.settings_for(current_user.id)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        upload = form.logo_file.data
        logo = upload.read(handouts.MAX_LOGO_BYTES + 1) if upload and upload.filename else None
        try:
            handouts.save_settings(
                settings,
                practice_name=form.practice_name.data,
                accent_colour=form.accent_colour.data,
                disclaimer=form.disclaimer.data or "",
                paper_size=form.paper_size.data,
                logo=logo,
                remove_logo=form.remove_logo.data,
            )
        except HandoutError as error:
            db.session.rollback()
            (form.logo_file if logo is not None else form.accent_colour).errors.append(str(error))
        else:
            flash(
                "Your handout settings are saved. New handouts use them; published ones stay as they were.", "success"
            )
            return redirect(url_for("handouts.settings_page"))
    return render_template("handouts/settings.html", form=form, settings=settings), 422 if form.errors else 200


@bp.get("/practitioner/handouts/logo")
@clinical_required
def logo():
    settings = handouts.settings_for(current_user.id)
    if not settings.logo:
        abort(404)
    response = make_response(settings.logo)
    response.headers["Content-Type"] = settings.logo_content_type
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'"  # an SVG is a document
    )
    return response


# Composing, previewing and publishing ------------------------------------------------------------------------


def _own_booking(booking_id: int):
    booking = handouts.load_session(booking_id, current_user.id)
    if booking is None:
        abort(404)
    return booking


@bp.route("/practitioner/sessions/<int:booking_id>/protocol", methods=["GET", "POST"])
@clinical_required
def compose(booking_id: int):
    booking = _own_booking(booking_id)
    protocol = protocols.protocol_for(booking)
    library = protocols.library(current_user.id)
    if request.method == "GET":
        form = ComposeForm(obj=protocol)
    else:
        form = ComposeForm()
    form.add_items.choices = [(item.id, item.title) for item in library]
    action = request.form.get("action", "save")
    if form.validate_on_submit():
        move = None
        if action.startswith("move:"):
            index, _, step = action.removeprefix("move:").partition(":")
            position = whole_number(index, 0)
            move = (position, 1 if step == "down" else -1) if position is not None else None
        chosen = {item.id: item for item in library}
        try:
            protocols.save_protocol(
                protocol,
                summary=form.summary.data or "",
                focus_points=form.focus_points.data or "",
                next_steps=form.next_steps.data or "",
                lines=[_item_text(entry.form) for entry in form.lines],
                remove=form.remove.data or [],
                move=move,
                add_items=[chosen[i] for i in (form.add_items.data or []) if i in chosen]
                if action == "add_items"
                else [],
                add_one_off=ItemText("other", "New item") if action == "add_one_off" else None,
            )
        except ProtocolError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            if action == "preview":
                return redirect(url_for("handouts.preview", booking_id=booking.id))
            flash("Saved." if action == "save" else "Saved. The protocol is updated below.", "success")
            anchor = "protocol-items" if action != "save" else None
            return redirect(url_for("handouts.compose", booking_id=booking.id, _anchor=anchor))
    elif form.is_submitted():
        flash("Please check the answers marked below; nothing was lost.", "error")
    return render_template(
        "handouts/compose.html",
        booking=booking,
        protocol=protocol,
        form=form,
        library=library,
        categories=CATEGORY_LABELS,
        following=protocols.next_booking(booking),
        versions=handouts.session_handouts(booking.id),
    ), 422 if form.errors else 200


@bp.get("/practitioner/sessions/<int:booking_id>/protocol/preview")
@clinical_required
def preview(booking_id: int):
    booking = _own_booking(booking_id)
    settings = handouts.settings_for(current_user.id)
    context = handouts.handout_context(booking, protocols.protocol_for(booking), settings, booking.client)
    nonce = secrets.token_urlsafe(16)
    html = handouts.handout_html(
        context,
        stylesheet_href=url_for("static", filename=handouts.STYLESHEET),
        logo_href=url_for("handouts.logo", v=int(settings.logo_updated_at.timestamp())) if settings.logo else None,
        preview={
            "stylesheet_href": url_for("static", filename="css/handout-screen.css"),
            "back_url": url_for("handouts.compose", booking_id=booking.id),
            "pdf_url": url_for("handouts.preview_pdf", booking_id=booking.id),
            "publish_url": url_for("handouts.publish", booking_id=booking.id),
            "csrf_token": generate_csrf(),
            "published_before": bool(handouts.session_handouts(booking.id)),
        },
    )
    html = html.replace("<style>", f'<style nonce="{nonce}">', 1)
    response = make_response(html)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return response


@bp.get("/practitioner/sessions/<int:booking_id>/protocol/preview.pdf")
@clinical_required
def preview_pdf(booking_id: int):
    booking = _own_booking(booking_id)
    pdf, _ = handouts.render_handout(booking)
    return _pdf_response(pdf, "preview.pdf", inline=True)


@bp.post("/practitioner/sessions/<int:booking_id>/protocol/publish")
@clinical_required
def publish(booking_id: int):
    booking = _own_booking(booking_id)
    client = booking.client
    try:
        handout = handouts.publish_handout(booking)
    except HandoutError as error:
        flash(str(error), "error")
        return redirect(url_for("handouts.compose", booking_id=booking.id))
    try:
        send_mail(
            client.email,
            f"Your handout from {handouts.settings_for(current_user.id).practice_name} is ready",
            "handout_ready",
            recipient=client,
            version=handout.version,
            link=absolute_url("handouts.my_handouts"),
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the handout is published; she must know the e-mail did not go
        log.exception("handout e-mail failed: handout=%s", handout.id)
        flash(
            f"Published version {handout.version}, but the e-mail telling {client.name.split(' ')[0]} could not "
            "be sent. Please let her know it is on her page.",
            "error",
        )
    else:
        flash(
            f"Published version {handout.version}. {client.name.split(' ')[0]} has been e-mailed that it is ready.",
            "success",
        )
    return redirect(url_for("handouts.compose", booking_id=booking.id, _anchor="versions"))


# Reading and downloading -------------------------------------------------------------------------------------


@bp.get("/practitioner/clients/<int:client_id>/handouts")
@clinical_required
def client_handouts(client_id: int):
    client = get_client_or_404(client_id)
    mine = [h for h in handouts.published_handouts(client.id) if h.practitioner_id == current_user.id]
    return render_template("handouts/client_handouts.html", client=client, sessions=handouts.by_session(mine))


@bp.get("/me/handouts/")
@client_required
def my_handouts():
    return render_template(
        "handouts/mine.html", sessions=handouts.by_session(handouts.published_handouts(current_user.id))
    )


@bp.get("/handouts/<int:handout_id>/download")
@login_required
def download(handout_id: int):
    handout = db.session.get(PublishedHandout, handout_id)
    owner = "practitioner_id" if current_user.is_practitioner else "client_id"
    if handout is None or getattr(handout, owner) != current_user.id:
        abort(404)
    pdf = handouts.handout_pdf(handout)
    handouts.record_download(handout)
    return _pdf_response(pdf, handout.filename, inline=False)


def _pdf_response(pdf: bytes, filename: str, *, inline: bool):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
