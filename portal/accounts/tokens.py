"""Single-use, expiring password-reset tokens.

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


class ResetClaim(NamedTuple):
    user_id: int
    fingerprint: str


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def make_reset_token(secret: str, user_id: int, password_hash: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"u": user_id, "h": password_fingerprint(password_hash)})


def read_reset_token(secret: str, token: str, max_age: int) -> ResetClaim:
    """What a token claims; raises ResetTokenError if it is forged or too old."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResetTokenError("This reset link has expired. Ask for a new one below.") from None
    except BadSignature:
        raise ResetTokenError("This reset link is not valid. Ask for a new one below.") from None
    if not (isinstance(payload, dict) and isinstance(payload.get("u"), int) and isinstance(payload.get("h"), str)):
        raise ResetTokenError("This reset link is not valid. Ask for a new one below.")
    return ResetClaim(payload["u"], payload["h"])


def claim_is_current(claim: ResetClaim, password_hash: str) -> bool:
    """False once the password has changed since the token was made (the link was used)."""
    return hmac.compare_digest(claim.fingerprint, password_fingerprint(password_hash))
