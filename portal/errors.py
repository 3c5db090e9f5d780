"""Friendly error pages: a plain message for every error, never a stack trace."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from portal.database import is_outage
from portal.extensions import db, limiter
from portal.practice.details import contact_sentence

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Please go back, check what you entered and try again."),
    403: (
        "You can't do that",
        "Your account does not have access to this.",  # and how to reach the practice: error_page
    ),
    404: ("Page not found", "This page does not exist, or it is not yours to see. Check the address or go back home."),
    405: ("That didn't work", "This page can't be used that way. Please go back and try again."),
    413: ("That was too large", "What you sent is larger than we accept. Please send something smaller."),
    429: ("Too many attempts", "For your security we paused this for a moment."),
    500: ("Something went wrong on our side", "Nothing you did caused this. Please try again in a minute."),
}


class PlainBadRequest(BadRequest):
    """A 400 whose description is written for the person and shown on the error page."""


# The page when the template itself can't be rendered (the database is gone, say): still the portal's own.
FALLBACK_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><main><h1>{title}</h1><p>{message}</p><p>{detail}</p><p><a href="/">Home</a></p></main>'
    "</body></html>"
)


def error_page(code: int, detail: str | None = None):
    """The portal's error page for `code`; a plain fallback when the page itself can't be rendered."""
    title, message = MESSAGES.get(code, MESSAGES[400])
    try:
        if code == 403:
            message += " " + contact_sentence("If you think it should, contact the practice")
        return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code
    except Exception as error:  # noqa: BLE001 - whatever broke the request may break the page too
        if is_outage(error):  # the page needs the logged-in person, and the database is gone: one line
            log.warning("error page for %s rendered without the database: %s", code, type(error).__name__)
        else:
            log.exception("error page for %s could not be rendered", code)
        return FALLBACK_PAGE.format(title=escape(title), message=escape(message), detail=escape(detail or "")), code


def _roll_back() -> None:
    """Undo what the failed request left in the session, so the error page can still load who is logged in."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection can fail to roll back; the page must still go out
        log.exception("rollback after an unhandled error failed")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_page(
            400,
            "The form had expired or did not come from this site. Please go back, reload the page and send it again.",
        )

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        current = limiter.current_limit
        seconds = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        wait = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
        return error_page(429, f"Please wait {wait} and try again.")

    @app.errorhandler(PlainBadRequest)
    def plain_bad_request(error: PlainBadRequest):
        return error_page(400, error.description)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_page(error.code or 500)

    app.register_error_handler(Exception, unexpected_error)


def unexpected_error(error: Exception) -> tuple[str, int] | Response:
    """A 500 for what nobody expected (a database outage is answered by portal/outage.py instead)."""
    # The traceback goes to the log; the request's form data does not.
    log.exception("unhandled error: %s", type(error).__name__)
    _roll_back()
    return error_page(InternalServerError.code)
