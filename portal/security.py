"""Response headers that every page carries, and the check for where `next` may send a person."""

from __future__ import annotations

import io
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from portal.errors import PlainBadRequest
from portal.inputs import single_line_problem

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
STRIPE_CONTENT_SECURITY_POLICY = (
    CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' https://js.stripe.com").replace(
        "connect-src 'self'", "connect-src 'self' https://api.stripe.com"
    )
    + "; frame-src https://js.stripe.com https://hooks.stripe.com"
)


def card_page(html: str, test_cards: bool) -> Response:
    """A page with a card form: with Stripe's Payment Element (no test cards), it may load Stripe.js."""
    response = Response(html)
    if not test_cards:
        response.headers["Content-Security-Policy"] = STRIPE_CONTENT_SECURITY_POLICY
        response.headers["Permissions-Policy"] = 'payment=(self "https://js.stripe.com")'
    return response


def add_security_headers(app: Flask) -> None:
    production = app.config["PORTAL_ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        return apply_security_headers(response, production=production)


def apply_security_headers(response: Response, *, production: bool) -> Response:
    """The headers every page carries; also set directly on the outage page, whatever the hooks manage."""
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


def refuse_unreadable_input(app: Flask) -> None:
    """Before any view (and before CSRF, so the message is the right one), refuse with a clear 400 or 413:

    - a body sent without Content-Length (chunked) that is larger than MAX_CONTENT_LENGTH: Werkzeug would
      stop reading at the limit and hand the view the first part as if it were all;
    - an address whose path or query string holds bytes that are not UTF-8, or control characters
      (NUL, which PostgreSQL refuses in text, CR, LF, ...): no page or parameter of the portal needs them;
    - a url-encoded form whose values are not UTF-8 (Werkzeug would keep them as literal %XX text).
      Multipart forms arrive with U+FFFD in place of bad bytes; the forms' own validators catch those, and
      control characters in any form field are the field's own error (portal/forms.py).
    """

    @app.before_request
    def _check_input():
        _read_streamed_body(app.config["MAX_CONTENT_LENGTH"])
        _check_address()
        _check_form_encoding()
        return None


def _read_streamed_body(limit: int | None) -> None:
    """Read a body that came without Content-Length up to the limit and keep it, or refuse it with 413."""
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated") or limit is None:
        return
    stream, body = environ["wsgi.input"], bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(bytes(body)), str(len(body))


_UNREADABLE_ADDRESS = (
    "That address contains characters we can't read (such as control characters). "
    "Please check the link or go back and try again."
)


def _check_address() -> None:
    raw_path = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")  # WSGI's bytes-as-latin-1
    parts = [raw_path, *request.query_string.split(b"&")]
    try:
        texts = [raw_path.decode("utf-8")] + [
            unquote_to_bytes(p.replace(b"+", b" ")).decode("utf-8") for p in parts[1:]
        ]
    except UnicodeDecodeError:
        raise PlainBadRequest(_UNREADABLE_ADDRESS) from None
    # U+FFFD in the path: what some servers (and the test client) make of bytes that are not UTF-8.
    if "\ufffd" in texts[0] or any(single_line_problem(text) for text in texts):
        raise PlainBadRequest(_UNREADABLE_ADDRESS)


def _check_form_encoding() -> None:
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return
    try:
        for pair in request.get_data(cache=True).split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise PlainBadRequest(
            "We could not read what was sent: some characters were not valid text. "
            "Please go back, type it again and resend."
        ) from None
