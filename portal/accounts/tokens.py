"""Single-use, expiring tokens for e-mailed links: password reset and e-mail confirmation.

The token is signed with the app's secret and carries a fingerprint of the password hash at the time
it was made: once the password changes (which is what using the link does), every earlier link stops
working, so no table of used tokens is needed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "password-reset"


class ResetTokenError(Exception):
    """The link cannot be used; str(error) is the message to show."""


class ConfirmTokenError(Exception):
    """The confirmation link cannot be used; str(error) is the message to show."""


class ResetClaim(NamedTuple):
    user_id: int
    fingerprint: str


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def make_reset_token(secret: str, user_id: int, password_hash: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"u": user_id, "h": password_fingerprint(password_hash)})


def read_reset_token(secret: str, token: str, max_age: int) -> ResetClaim:
    """What a token claims; raises ResetTokenError if it is forged or too old."""
    return _read_password_claim(secret, token, max_age, SALT, "reset link", "Ask for a new one below.")


def _read_password_claim(secret: str, token: str, max_age: int, salt: str, what: str, remedy: str) -> ResetClaim:
    try:
        payload = URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResetTokenError(f"This {what} has expired. {remedy}") from None
    except BadSignature:
        raise ResetTokenError(f"This {what} is not valid. {remedy}") from None
    if not (isinstance(payload, dict) and isinstance(payload.get("u"), int) and isinstance(payload.get("h"), str)):
        raise ResetTokenError(f"This {what} is not valid. {remedy}")
    return ResetClaim(payload["u"], payload["h"])


# A client whose account the practice made (booking for a new client) chooses her first password through a link
# that works like a reset link (once: choosing the password makes it stale) but lasts longer, and says welcome.

WELCOME_SALT = "client-welcome"
WELCOME_REMEDY = "Use “Forgotten your password?” on the log-in page to get a new link."


def make_welcome_token(secret: str, user_id: int, password_hash: str) -> str:
    payload = {"u": user_id, "h": password_fingerprint(password_hash)}
    return URLSafeTimedSerializer(secret, salt=WELCOME_SALT).dumps(payload)


def read_welcome_token(secret: str, token: str, max_age: int) -> ResetClaim:
    """What a welcome token claims; raises ResetTokenError if it is forged or too old."""
    return _read_password_claim(secret, token, max_age, WELCOME_SALT, "link", WELCOME_REMEDY)


def claim_is_current(claim: ResetClaim | ConfirmClaim, password_hash: str) -> bool:
    """False once the password has changed since the token was made (a reset link was used; a confirmation link
    went stale)."""
    return hmac.compare_digest(claim.fingerprint, password_fingerprint(password_hash))


# E-mail confirmation -------------------------------------------------------------------------------------------
#
# The link confirms the account only while it has the password it was made with (a later sign-up or reset makes it
# stale) and only once: a confirmed account ignores it. It may carry the page she was on (e.g. the time she chose),
# which is signed with it, so nobody can swap in another.

CONFIRM_SALT = "confirm-email"


class ConfirmClaim(NamedTuple):
    user_id: int
    fingerprint: str
    next_path: str


def make_confirm_token(secret: str, user_id: int, password_hash: str, next_path: str | None) -> str:
    payload = {"u": user_id, "h": password_fingerprint(password_hash), "n": next_path or ""}
    return URLSafeTimedSerializer(secret, salt=CONFIRM_SALT).dumps(payload)


def read_confirm_token(secret: str, token: str, max_age: int) -> ConfirmClaim:
    """What a confirmation token claims; raises ConfirmTokenError if it is forged or too old."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=CONFIRM_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ConfirmTokenError(
            "This confirmation link has expired. Log in with your e-mail address and password "
            "and we will send you a new one."
        ) from None
    except BadSignature:
        raise ConfirmTokenError("This confirmation link is not valid. Check that you copied all of it.") from None
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("u"), int)
        and isinstance(payload.get("h"), str)
        and isinstance(payload.get("n"), str)
    ):
        raise ConfirmTokenError("This confirmation link is not valid. Check that you copied all of it.")
    return ConfirmClaim(payload["u"], payload["h"], payload["n"])
