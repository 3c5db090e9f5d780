"""Who may see what: one decorator per role. Every view that is not public uses one of them.

A person of the wrong role gets 404, as if the page did not exist; someone not logged in is
sent to log in and brought back afterwards.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable)


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
