"""Who may see what: one decorator per role, and one loader for things a person owns.

A person of the wrong role, or asking for something that is not hers, gets 404, as if the page did
not exist; someone not logged in is sent to log in and brought back afterwards.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required

from portal.extensions import db

F = TypeVar("F", bound=Callable)
M = TypeVar("M")


def _role_required(check: Callable[[object], bool]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(404)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


practitioner_required = _role_required(lambda user: user.is_practitioner)
client_required = _role_required(lambda user: user.is_client)


def get_own_or_404(model: type[M], object_id: int, owner_column: str) -> M:
    """The row with this id if its `owner_column` is the logged-in person's id, else 404."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, owner_column) != current_user.id:
        abort(404)
    return obj


def get_client_or_404(client_id: int):
    """A client account by id for the practitioner's pages; 404 for anyone else's id (hers, or nobody's)."""
    from portal.models import User

    client = db.session.get(User, client_id)
    if client is None or not client.is_client:
        abort(404)
    return client
