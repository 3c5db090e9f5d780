"""Card payments against localstripe, a real Stripe-compatible server run in this process on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import pytest

from portal.extensions import db
from tests.conftest import WEBHOOK_SECRET


@pytest.fixture
def app(app_factory, stripe_settings):
    """In this folder the portal takes card payments through localstripe."""
    app = app_factory(**stripe_settings)
    with app.app_context():
        yield app


def signed(event: dict, secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, signed the way Stripe signs."""
    body = json.dumps(event).encode()
    at = int(time.time()) if at is None else at
    signature = hmac.new(secret.encode(), b"%d.%s" % (at, body), hashlib.sha256).hexdigest()
    return body, f"t={at},v1={signature}"


def intent_event(event_id: str, kind: str, intent_id: str, amount: int, currency: str = "gbp", **extra) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "currency": currency,
                "status": "succeeded" if kind.endswith("succeeded") else "requires_payment_method",
                **extra,
            }
        },
    }


def wait_until(check: Callable[[], bool], seconds: float = 10) -> bool:
    """Poll (expiring the session each time) until `check` holds: webhooks arrive about a second late."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if check():
            return True
        time.sleep(0.1)
    db.session.expire_all()
    return check()
