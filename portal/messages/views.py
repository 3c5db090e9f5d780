"""Messages: the client's conversation with her care team (/me/messages/), the same conversation from the
case file (/practitioner/clients/<id>/messages), the practitioner's inbox, settings and saved replies, the JSON
a page left open polls for new messages, and attachment downloads (both sides only; anyone else gets 404).

Sending takes files of up to 10 MB, more than the app's MAX_CONTENT_LENGTH: the two thread views raise the limit
for their own request and then check the CSRF token themselves (so they are exempt from the global check, which
would read the body first under the lower limit).
"""

from __future__ import annotations

import io
import math
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from limits import parse

from portal.access import client_required, clinical_required, get_client_or_404, get_own_or_404
from portal.extensions import csrf, db, limiter
from portal.inputs import whole_number
from portal.messages import conversations
from portal.messages.attachments import MAX_FILE_BYTES, MAX_FILES, AttachmentError, CleanFile, clean_upload
from portal.messages.conversations import MessageError
from portal.messages.forms import MessageForm, SavedReplyForm, SettingsForm
from portal.models import ConversationStatus, SavedReply, User

bp = Blueprint("messages", __name__)

REQUEST_LIMIT = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024  # the files and the text, with room for the form
MESSAGE_RATE = parse("30 per 10 minutes")  # per person, whoever she writes to


@bp.app_context_processor
def _unread():
    def unread_messages() -> int:
        """The header's count: called by base.html only, so e-mails and PDFs run no query for it."""
        if not current_user.is_authenticated:
            return 0
        if "unread_messages" not in g:  # the header and the client's home page both show it: one query
            g.unread_messages = conversations.unread_count(current_user)
        return g.unread_messages

    return {"unread_messages": unread_messages}


# The thread, from either side ------------------------------------------------------------------------------------


def _rate_problem() -> str | None:
    """Why she can't send now (too many messages), or None; counts this one."""
    if not limiter.enabled or limiter.limiter.hit(MESSAGE_RATE, "messages", str(current_user.id)):
        return None
    reset = limiter.limiter.get_window_stats(MESSAGE_RATE, "messages", str(current_user.id)).reset_time
    minutes = max(1, math.ceil((reset - time.time()) / 60))
    return (
        f"You have sent {MESSAGE_RATE.amount} messages in the last 10 minutes. Please wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} and send this one again: your text is kept here."
    )


def _clean_files(form: MessageForm) -> tuple[list[CleanFile], str | None]:
    uploads = [f for f in (form.files.data or []) if getattr(f, "filename", "")]
    if len(uploads) > MAX_FILES:
        return [], f"Attach at most {MAX_FILES} files to one message."
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(clean_upload(upload.filename or "", upload.read(MAX_FILE_BYTES + 1)))
        except AttachmentError as error:
            return [], str(error)
    return cleaned, None


def _insert_saved_reply(form: MessageForm) -> bool:
    """The no-script way to use a saved reply: the page comes back with its text added to what she wrote."""
    if request.form.get("action") != "insert" or not current_user.is_practitioner:
        return False
    reply = db.session.get(SavedReply, form.saved_reply.data or 0)
    if reply is not None and reply.practitioner_id == current_user.id:
        typed = (form.body.data or "").rstrip()
        form.body.data = f"{typed}\n\n{reply.body}" if typed else reply.body
    return True


def _thread(client: User):
    """The conversation page for either side: the composer (sending on POST), the notices and a page of messages."""
    status = 200
    if request.method == "POST":
        request.max_content_length = REQUEST_LIMIT  # before anything reads the body
        csrf.protect()
    form = MessageForm()
    replies = conversations.saved_replies(current_user.id) if current_user.is_practitioner else []
    form.saved_reply.choices = [(0, "Choose one")] + [(r.id, r.title) for r in replies]
    if request.method == "POST" and form.validate() and not _insert_saved_reply(form):
        files, problem = _clean_files(form)
        if problem:
            form.files.errors.append(problem)
        elif problem := conversations.body_problem((form.body.data or "").strip(), files):
            form.body.errors.append(problem)
        elif problem := _rate_problem():
            form.body.errors.append(problem)
            status = 429
        else:
            try:
                conversations.send_message(client, current_user, form.body.data or "", files)
            except MessageError as error:
                db.session.rollback()
                form.body.errors.append(str(error))
            else:
                flash("Your message is sent.", "success")
                return redirect(request.path)
    if form.errors and status == 200:
        status = 422
    page = conversations.thread_page(client.id, whole_number(request.args.get("before"), 1))
    if page.conversation is not None:
        conversations.mark_read(page.conversation, current_user, page_view=True)
    html = render_template(
        "messages/thread.html",
        client=client,
        form=form,
        page=page,
        replies=replies,
        notices=conversations.notices_for(client.id),
        viewer_is_client=current_user.is_client,
        updates_url=url_for("messages.my_updates")
        if current_user.is_client
        else url_for("messages.client_updates", client_id=client.id),
        poll_seconds=current_app.config["MESSAGE_POLL_SECONDS"],
    )
    db.session.commit()  # the read mark and its audit row, after rendering (nothing loaded is expired)
    return html, status


def _updates(client: User):
    """New messages since `after`, as escaped HTML fragments, oldest first; and the other side's read mark."""
    after = whole_number(request.args.get("after"), 0)
    if after is None:
        return jsonify(error="after must be a message id"), 400
    conversation = conversations.conversation_of(client.id)
    if conversation is None:
        response = jsonify(messages=[], other_read_up_to=0)
    else:
        new = conversations.messages_after(conversation, after)
        if any(m.from_client != current_user.is_client for m in new):
            conversations.mark_read(conversation, current_user)
        viewer_is_client = current_user.is_client
        other_read = conversation.team_read_up_to if viewer_is_client else conversation.client_read_up_to
        fragments = [
            {
                "id": m.id,
                "html": render_template(
                    "messages/_message.html", message=m, viewer_is_client=viewer_is_client, other_read_up_to=other_read
                ),
            }
            for m in new
        ]
        db.session.commit()
        response = jsonify(messages=fragments, other_read_up_to=other_read)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/me/messages/", methods=["GET", "POST"])
@csrf.exempt
@client_required
def my_thread():
    return _thread(current_user)


@bp.get("/me/messages/updates")
@client_required
def my_updates():
    return _updates(current_user)


@bp.route("/practitioner/clients/<int:client_id>/messages", methods=["GET", "POST"])
@csrf.exempt
@clinical_required
def client_thread(client_id: int):
    return _thread(get_client_or_404(client_id))


@bp.get("/practitioner/clients/<int:client_id>/messages/updates")
@clinical_required
def client_updates(client_id: int):
    return _updates(get_client_or_404(client_id))


def _conversation_or_404(client_id: int):
    conversation = conversations.conversation_of(get_client_or_404(client_id).id)
    if conversation is None:
        abort(404)
    return conversation


@bp.post("/practitioner/clients/<int:client_id>/messages/done")
@clinical_required
def mark_done(client_id: int):
    conversations.mark_done(_conversation_or_404(client_id))
    flash("Marked as done. It comes back to your open messages when she writes again.", "success")
    return redirect(url_for("messages.inbox"))


@bp.post("/practitioner/clients/<int:client_id>/messages/reopen")
@clinical_required
def reopen(client_id: int):
    conversations.reopen(_conversation_or_404(client_id))
    flash("The conversation is open again.", "success")
    return redirect(url_for("messages.client_thread", client_id=client_id))


# Attachments -----------------------------------------------------------------------------------------------------


@bp.get("/messages/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = conversations.attachment_for(attachment_id, current_user)
    if attachment is None:
        abort(404)
    content = conversations.attachment_content(attachment)
    db.session.commit()
    response = send_file(
        io.BytesIO(content),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# The practitioner's inbox, settings and saved replies ------------------------------------------------------------


@bp.get("/practitioner/messages")
@clinical_required
def inbox():
    status = ConversationStatus.DONE if request.args.get("show") == "done" else ConversationStatus.OPEN
    page = whole_number(request.args.get("page"), 1, 10_000) or 1
    rows, more = conversations.inbox(current_user, status, page)
    return render_template("messages/inbox.html", rows=rows, more=more, page=page, status=status)


@bp.route("/practitioner/messages/settings", methods=["GET", "POST"])
@clinical_required
def settings_page():
    settings = conversations.settings_for(current_user.id)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        conversations.save_settings(
            current_user, away_notice=form.away_notice.data or "", emergency_notice=form.emergency_notice.data or ""
        )
        flash("Your message settings are saved.", "success")
        return redirect(url_for("messages.settings_page"))
    return render_template("messages/settings.html", form=form), 422 if form.errors else 200


@bp.route("/practitioner/messages/replies", methods=["GET", "POST"])
@clinical_required
def saved_replies():
    form = SavedReplyForm()
    if form.validate_on_submit():
        try:
            conversations.add_saved_reply(current_user, form.title.data or "", form.body.data or "")
        except MessageError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            flash("Saved. It is in the list beside the message box.", "success")
            return redirect(url_for("messages.saved_replies"))
    replies = conversations.saved_replies(current_user.id)
    return render_template("messages/replies.html", form=form, replies=replies), 422 if form.errors else 200


@bp.post("/practitioner/messages/replies/<int:reply_id>/delete")
@clinical_required
def delete_reply(reply_id: int):
    conversations.delete_saved_reply(get_own_or_404(SavedReply, reply_id, "practitioner_id"))
    flash("The saved reply is deleted.", "success")
    return redirect(url_for("messages.saved_replies"))
