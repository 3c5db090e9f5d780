"""What the portal answers when the database fails: a 503 page that needs no database, or, when the request
had already committed its change, a page that says it was saved; one log line per failing request."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request, url_for
from sqlalchemy import exc

from portal.database import OUTAGE_ERRORS, committed_change, is_outage
from werkzeug.exceptions import InternalServerError

from portal.errors import error_page, unexpected_error
from portal.extensions import db
from portal.security import apply_security_headers

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = (
    "The portal is briefly unavailable",
    "We can't reach our records for a moment. Nothing you did caused this.",
    "Please try again in a minute.",
)
SAVED = (
    "Saved",
    "What you sent has been saved. You don't need to send it again.",
    "The portal is briefly unavailable, so we can't show the next page yet. Please come back in a minute.",
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _NoOutageTracebacks(logging.Filter):
    """Flask logs the traceback of what fails outside the view ("Exception on /path [GET]") before its handler
    runs; for an outage, database_failed() writes the one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and record.exc_info[1] is not None and is_outage(record.exc_info[1]))


def register_outage_handlers(app: Flask) -> None:
    if not any(isinstance(f, _NoOutageTracebacks) for f in app.logger.filters):  # one logger for every app
        app.logger.addFilter(_NoOutageTracebacks())
    for error_class in OUTAGE_ERRORS:
        app.register_error_handler(error_class, database_failed)

    @app.errorhandler(exc.PendingRollbackError)
    def _pending_rollback(error: exc.PendingRollbackError):
        # The session is unusable because an earlier statement failed: an outage if that one was.
        return database_failed(error) if is_outage(error) else unexpected_error(error)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError):
        # What failed while the response was being finished (an after_request hook) arrives wrapped in a 500.
        original = error.original_exception
        return database_failed(original) if original is not None and is_outage(original) else error_page(500)


def database_failed(error: BaseException) -> Response:
    """The answer to a request during which the database failed (unreachable, hung, too slow)."""
    rule = request.url_rule.rule if request.url_rule else "-"
    kind = type(error).__name__
    orig = type(getattr(error, "orig", None) or error).__name__
    if orig != kind:
        kind = f"{kind} ({orig})"  # e.g. OperationalError (QueryCanceled)
    # One line: which route (its pattern, not the ids in the address) and what failed; no traceback, no data.
    log.warning("database unavailable: %s %s (%s) %s", request.method, rule, request.endpoint, kind)
    _forget_session()
    saved = committed_change() and request.method not in SAFE_METHODS
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        title, message, detail = SAVED if saved else UNAVAILABLE
        response = jsonify(ok=False, saved=saved, error=f"{message} {detail}")
    else:
        response = Response(_page(SAVED if saved else UNAVAILABLE, saved), mimetype="text/html")
    response.status_code = 200 if saved and not response.is_json else 503
    if response.status_code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return apply_security_headers(response, production=current_app.config["PORTAL_ENV"] == "production")


def _page(texts: tuple[str, str, str], saved: bool) -> str:
    # Straight from the Jinja environment: render_template would run the context processors, and Flask-Login's
    # would load the logged-in person from the database that just failed.
    title, message, detail = texts
    return current_app.jinja_env.get_template("errors/unavailable.html").render(
        title=title,
        message=message,
        detail=detail,
        label="Saved" if saved else "Error 503",
        practice_name=current_app.config["PRACTICE_NAME"],
        stylesheet=url_for("static", filename="css/portal.css"),
        home="/",
    )


def _forget_session() -> None:
    """Drop what the request left in the session without waiting on the database again."""
    try:
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - the connection is likely dead; it is discarded either way
        log.debug("rollback after a database failure failed: %s", type(error).__name__)
