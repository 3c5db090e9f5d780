"""Flask-Login wiring: the cookie names a database session (portal.accounts.sessions), which is checked at
the start of every request; someone whose session has ended is sent to log in, or told so in JSON."""

from __future__ import annotations

from flask import Flask, current_app, flash, g, jsonify, redirect, request, url_for
from flask_login import current_user

from portal.accounts import sessions
from portal.extensions import login_manager
from portal.models import User
from portal.security import safe_next

LOGIN_MESSAGE = "Please log in to see that page."


def idle_message(minutes: int) -> str:
    return f"You were logged out after {minutes} minutes without activity. Log in again to carry on."


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.id_attribute = "login_session_token"  # the cookie holds the session's token, not her id
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)

    @app.before_request
    def _check_session_first() -> None:
        # Load (and, when it is due, touch or end) the session before the view writes anything of its own.
        if request.endpoint not in ("static", "health.healthz"):  # the load balancer's check needs no one
            current_user._get_current_object()


def _load_user(token: str) -> User | None:
    loaded = sessions.load_session(token, sessions.SessionRules.from_config(current_app.config))
    if loaded.ended_idle:
        g.ended_idle = True
        flash(idle_message(current_app.config["IDLE_TIMEOUT"]), "info")
    return loaded.user


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _back_here() -> str | None:
    """Where logging in should bring her back to: this page, or for a form the page it was sent from."""
    if request.method == "GET":
        return safe_next(request.full_path.removesuffix("?"))
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    return safe_next(referrer.removeprefix(host)) if referrer.startswith(host + "/") else None


def _unauthorized():
    if _wants_json():  # e.g. the notes autosave: it keeps the text on screen and says why it was not saved
        message = idle_message(current_app.config["IDLE_TIMEOUT"]) if g.get("ended_idle") else "You are logged out."
        return jsonify(ok=False, logged_out=True, error=message), 401
    if not g.get("ended_idle"):  # the idle message is already waiting
        flash(LOGIN_MESSAGE, "info")
    return redirect(url_for("accounts.login", next=_back_here()))
