"""Response headers that every page carries, and the check for where `next` may send a person."""
from __future__ import annotations

from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, Response, request

from portal.errors import PlainBadRequest

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# The card page with Stripe's Payment Element: exactly what Stripe.js needs, nothing more.
STRIPE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' https://js.stripe.com"
).replace(
    "connect-src 'self'", "connect-src 'self' https://api.stripe.com"
) + "; frame-src https://js.stripe.com https://hooks.stripe.com"


def add_security_headers(app: Flask) -> None:
    production = app.config["PORTAL_ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages carry personal data: never keep them in a shared cache or the back-forward cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: blocks open redirects."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def refuse_undecodable_forms(app: Flask) -> None:
    """A url-encoded form whose values are not UTF-8 gets a clear 400 before any view runs.

    Werkzeug would otherwise keep such values as literal %XX text or drop them silently.
    (Multipart forms arrive with U+FFFD in place of bad bytes; the forms' own validator catches those.)
    """

    @app.before_request
    def _check_form_encoding():
        if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
            return None
        try:
            for pair in request.get_data(cache=True).split(b"&"):
                unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise PlainBadRequest("We could not read what was sent: some characters were not valid text. "
                                  "Please go back, type it again and resend.") from None
        return None
