"""Settings → Team (the owner's), accepting an invitation, care teams, and the front desk's client list and
booking for a client. Each view's rule is its decorator (portal/access.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from portal.access import get_client_or_404, owner_required, staff_required, visible_clients
from portal.accounts import users
from portal.booking import bookings, lifecycle
from portal.booking.bookings import BookingError
from portal.booking.pages import iso, parse_start, slot_page
from portal.consent.documents import unsigned_versions
from portal.db_types import utcnow
from portal.extensions import db, limiter
from portal.forms import select_choices
from portal.models import Role, Service, User
from portal.practice import team
from portal.records import profiles
from portal.team.forms import AcceptForm, BookForClientForm, CareTeamForm, ConfirmForm, InviteForm, RoleForm

bp = Blueprint("team", __name__)

CONTACTS_LIMIT = 200


def _member_or_404(user_id: int) -> User:
    return team.member_or_none(user_id) or abort(404)


# The owner's team page ------------------------------------------------------------------------------------


def _team_page(invite_form: InviteForm | None = None, status: int = 200):
    return render_template(
        "team/team.html",
        members=team.members(),
        invitations=team.pending_invitations(),
        invite_form=invite_form or InviteForm(),
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
        roles=("practitioner", "assistant"),
    ), status


@bp.get("/practitioner/team")
@owner_required
def team_page():
    return _team_page()


@bp.post("/practitioner/team/invitations")
@owner_required
@limiter.limit("30 per hour")
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _team_page(form, 422)
    try:
        new = team.invite(form.email.data, Role(form.role.data), current_user)
    except team.TeamError as error:
        form.email.errors.append(str(error))
        return _team_page(form, 422)
    flash(
        f"Invitation sent to {new.invitation.email}. The link works once and expires in {team.INVITATION_DAYS} days.",
        "success",
    )
    return redirect(url_for("team.team_page"))


@bp.post("/practitioner/team/<int:user_id>/role")
@owner_required
def change_role(user_id: int):
    member = _member_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            team.change_role(member, Role(form.role.data), current_user)
        except team.TeamError as error:
            flash(str(error), "error")
        else:
            flash(f"{member.name} is now {'an' if member.is_assistant else 'a'} {member.role}.", "success")
    else:
        flash("Choose practitioner or assistant.", "error")
    return redirect(url_for("team.team_page"))


@bp.post("/practitioner/team/<int:user_id>/deactivate")
@owner_required
def deactivate(user_id: int):
    member = _member_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            team.deactivate(member, current_user)
        except team.TeamError as error:
            flash(str(error), "error")
        else:
            flash(f"{member.name} is deactivated and logged out everywhere. Her records stay.", "success")
    return redirect(url_for("team.team_page"))


@bp.post("/practitioner/team/<int:user_id>/reactivate")
@owner_required
def reactivate(user_id: int):
    member = _member_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        team.reactivate(member)
        flash(f"{member.name} can log in again.", "success")
    return redirect(url_for("team.team_page"))


# Accepting an invitation (public: the link is the key) ---------------------------------------------------


@bp.route("/team/join/<token>", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
def accept(token: str):
    invitation = team.open_invitation(token)
    if invitation is None:
        return render_template("team/invitation_gone.html"), 404
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            team.accept(invitation, form.name.data, form.password.data, form.timezone.data)
        except users.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
        except (users.EmailTaken, team.TeamError):
            return render_template("team/invitation_gone.html"), 404
        else:
            if current_user.is_authenticated:
                logout_user()
            flash("Your account is ready. Log in with your e-mail address and the password you chose.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("team/accept.html", form=form, invitation=invitation), 422 if form.errors else 200


# Care teams (the owner adds and removes) -------------------------------------------------------------------


@bp.route("/practitioner/clients/<int:client_id>/care-team", methods=["GET", "POST"])
@owner_required
def care_team(client_id: int):
    client = get_client_or_404(client_id)
    form = CareTeamForm()
    form.practitioner_id.choices = select_choices((p.id, p.name) for p in team.practitioners())
    if form.validate_on_submit():
        team.join_care_team(form.practitioner_id.data, client.id, current_user.id)
        db.session.commit()
        flash("Added to her care team.", "success")
        return redirect(url_for("team.care_team", client_id=client.id))
    return render_template(
        "team/care_team.html",
        client=client,
        form=form,
        confirm_form=ConfirmForm(),
        members=team.care_team_of(client.id),
    ), 422 if form.errors else 200


@bp.post("/practitioner/clients/<int:client_id>/care-team/<int:practitioner_id>/remove")
@owner_required
def remove_from_care_team(client_id: int, practitioner_id: int):
    client = get_client_or_404(client_id)
    if ConfirmForm().validate_on_submit():
        team.leave_care_team(practitioner_id, client.id)
        db.session.commit()
        flash("Removed from her care team. Her notes stay with their author.", "success")
    return redirect(url_for("team.care_team", client_id=client.id))


# The front desk: contact details and booking for a client ------------------------------------------------


@bp.get("/practitioner/contacts")
@staff_required
def contacts():
    """Clients' names, e-mail addresses and phone numbers (nothing clinical), scoped in SQL."""
    query = request.args.get("q", "")[:100].strip()
    rows = team.contact_rows(query, visible_clients, CONTACTS_LIMIT)
    return render_template("team/contacts.html", rows=rows, query=query, limit=CONTACTS_LIMIT)


@bp.get("/practitioner/clients/<int:client_id>/book")
@staff_required
def book_for_client(client_id: int):
    client = get_client_or_404(client_id)
    offered = bookings.active_services()
    if not current_user.is_assistant:
        offered = [s for s in offered if s.practitioner_id == current_user.id]
    return render_template(
        "team/book_for_client.html",
        client=client,
        services=offered,
        phone=getattr(profiles.profile_for(client.id), "phone", ""),
    )


def _bookable_for_staff(service_id: int) -> Service:
    service = bookings.bookable_service(service_id)
    if service is None or not (current_user.is_assistant or service.practitioner_id == current_user.id):
        abort(404)
    return service


@bp.get("/practitioner/clients/<int:client_id>/book/<int:service_id>")
@staff_required
def book_slots(client_id: int, service_id: int):
    client = get_client_or_404(client_id)
    service = _bookable_for_staff(service_id)
    free = bookings.load_availability(service.practitioner_id, utcnow()).free(
        timedelta(minutes=service.duration_minutes), utcnow()
    )
    return slot_page(
        service, free, current_user.timezone, "team.book_confirm", client_id=client.id, service_id=service.id
    )


@bp.route("/practitioner/clients/<int:client_id>/book/<int:service_id>/confirm", methods=["GET", "POST"])
@staff_required
def book_confirm(client_id: int, service_id: int):
    client = get_client_or_404(client_id)
    service = _bookable_for_staff(service_id)
    form = BookForClientForm()
    start = parse_start(form.start.data if request.method == "POST" else request.args.get("start"))
    if start is None:
        flash("Please choose a time from the list.", "error")
        return redirect(url_for("team.book_slots", client_id=client.id, service_id=service.id))
    if form.validate_on_submit():
        try:  # booked by the practice: confirmed, paid at the session or recorded on its page
            booking = lifecycle.book(client, service, start, needs_payment=False)
        except BookingError as error:
            flash(str(error), "error")
            return redirect(url_for("team.book_slots", client_id=client.id, service_id=service.id))
        flash(f"Booked for {client.name}; she has been e-mailed the details.", "success")
        if unsigned_versions(client.id):  # not held back, but her case file flags it until she signs
            flash(f"{client.name} has not signed the practice's current documents yet.", "info")
        return redirect(url_for("booking.practitioner_booking", booking_id=booking.id))
    form.start.data = iso(start)
    return render_template("team/book_confirm.html", client=client, service=service, start=start, form=form)
