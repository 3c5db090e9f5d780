"""Who may see what: one decorator per kind of page, and the loaders for things a person may open.

Roles: the **owner** (a practitioner who also runs the team), **practitioners**, the **assistant** (front
desk) and **clients**. A person of the wrong role, or asking for something that is not hers, gets 404, as if
the page did not exist; someone not logged in is sent to log in and brought back afterwards.

- `clinical_required`: owner and practitioners (case files, diaries, questionnaires, notes, handouts, export).
- `staff_required`: owner, practitioners and the assistant (agenda, bookings, payments, contact details).
- `owner_required`: the owner alone (the team, erasure, adding a client to a care team).
- `client_required`: clients.

Which clients a practitioner may open is decided here alone, in SQL: `visible_clients()` is the condition
every list, search and loader uses. A practitioner sees the clients on her care team; the owner, the
practice's data controller, sees every client (notes stay private to their author even from her); the
assistant sees every client's contact details and bookings but no clinical page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, exists, true

from portal.extensions import db
from portal.models import Booking, CareTeam, Role, User

F = TypeVar("F", bound=Callable)
M = TypeVar("M")


def _role_required(check: Callable[[User], bool]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(404)
            return view(*args, **kwargs)

        wrapped.access_rule = check  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


clinical_required = _role_required(lambda user: user.is_practitioner)
staff_required = _role_required(lambda user: user.is_staff)
owner_required = _role_required(lambda user: user.is_owner)
client_required = _role_required(lambda user: user.is_client)


def get_own_or_404(model: type[M], object_id: int, owner_column: str) -> M:
    """The row with this id if its `owner_column` is the logged-in person's id, else 404."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, owner_column) != current_user.id:
        abort(404)
    return obj


def sees_every_client(user: User | None = None) -> bool:
    """The owner and the assistant see every client (the assistant only her contact details and bookings)."""
    user = user or current_user
    return user.is_owner or user.is_assistant


def on_care_team(client_id_column: Any, practitioner_id: int) -> ColumnElement[bool]:
    """SQL: the client in `client_id_column` is on this practitioner's care team."""
    return exists().where(CareTeam.client_id == client_id_column, CareTeam.practitioner_id == practitioner_id)


def visible_clients(client_id_column: Any, user: User | None = None) -> ColumnElement[bool]:
    """SQL: the clients whose id is in `client_id_column` that the logged-in person may see."""
    user = user or current_user
    if sees_every_client(user):
        return true()
    return on_care_team(client_id_column, user.id)


def get_client_or_404(client_id: int) -> User:
    """A client by id, if the logged-in staff member may see her; 404 for anyone else's id (a client off
    her care team, a team member, or nobody)."""
    client = db.session.execute(
        db.select(User).filter(User.id == client_id, User.role == Role.CLIENT, visible_clients(User.id))
    ).scalar_one_or_none()
    if client is None:
        abort(404)
    return client


def get_clinical_row_or_404(model: type[M], object_id: int) -> M:
    """A row of a client's health data (a model with `client_id`) for whoever is looking: the client her own,
    a clinician a client she may see; 404 for anyone else (the assistant included)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    owner = getattr(obj, "client_id")  # noqa: B009 (M is any model: its client_id is not known to the checker)
    if current_user.is_client:
        if owner != current_user.id:
            abort(404)
    elif current_user.is_practitioner:
        get_client_or_404(owner)
    else:
        abort(404)
    return obj


def get_booking_for_viewer_or_404(booking_id: int) -> Booking:
    """A session for whoever is looking: a client's own, or one the practice's team may manage; else 404."""
    if current_user.is_client:
        return get_own_or_404(Booking, booking_id, "client_id")
    if current_user.is_staff:
        return get_booking_or_404(booking_id)
    abort(404)


def get_booking_or_404(booking_id: int) -> Booking:
    """A session, for its own practitioner (the owner and the assistant: any session); else 404."""
    query = db.select(Booking).filter(Booking.id == booking_id)
    if not sees_every_client():
        query = query.filter(Booking.practitioner_id == current_user.id)
    booking = db.session.execute(query).scalar_one_or_none()
    if booking is None:
        abort(404)
    return booking
