"""Replay 1,000 signed webhook deliveries, duplicates and re-sent events mixed in, and count fulfilments.

    .venv/bin/python -m bench.webhooks            # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.webhooks   # wipes it

Prints fulfilments against distinct payments (they must be equal) and deliveries per second.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from datetime import timedelta

from bench._setup import environ, fresh_app, seed_practice
from portal.booking import bookings, lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import BookingEvent
from portal.payments import card
from portal.payments.localstripe_server import LocalStripe

DELIVERIES = 1000
PAYMENTS = 300
SECRET = "whsec_bench"


def signed(event: dict) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    at = int(time.time())
    return body, f"t={at},v1={hmac.new(SECRET.encode(), b'%d.%s' % (at, body), hashlib.sha256).hexdigest()}"


def main() -> None:
    server = LocalStripe().start()
    app = fresh_app(
        {
            **environ(),
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "STRIPE_API_BASE": server.url,
        }
    )
    with app.app_context():
        maya, service, people = seed_practice(clients=PAYMENTS)
        now = utcnow()
        free = bookings.load_availability(maya.id, now).free(timedelta(minutes=45), now)
        intents = []
        for person, start in zip(people, free[::5], strict=False):
            booking = lifecycle.book(person, service, start, now=now, needs_payment=True)
            intents.append(card.card_payment_for(booking).stripe_payment_intent_id)
        assert len(intents) == PAYMENTS, "not enough free slots for the benchmark"

    rng = random.Random(1)
    deliveries = []
    for n, intent in enumerate(intents):  # every payment succeeds once ...
        deliveries.append({"id": f"evt_{n}", "intent": intent})
    while len(deliveries) < DELIVERIES:  # ... then duplicates of those events, and the same success re-sent
        original = rng.choice(deliveries[:PAYMENTS])
        fresh_id = rng.random() < 0.3
        deliveries.append(
            {"id": f"evt_resent_{len(deliveries)}" if fresh_id else original["id"], "intent": original["intent"]}
        )
    rng.shuffle(deliveries)
    bodies = [
        signed(
            {
                "id": d["id"],
                "object": "event",
                "type": "payment_intent.succeeded",
                "created": 0,
                "data": {
                    "object": {
                        "id": d["intent"],
                        "object": "payment_intent",
                        "amount": 8500,
                        "currency": "gbp",
                        "status": "succeeded",
                    }
                },
            }
        )
        for d in deliveries
    ]

    client = app.test_client()
    started = time.perf_counter()
    codes = [
        client.post(
            "/stripe/webhook", data=body, content_type="application/json", headers={"Stripe-Signature": header}
        ).status_code
        for body, header in bodies
    ]
    elapsed = time.perf_counter() - started
    server.stop()
    with app.app_context():
        fulfilments = db.session.scalar(db.select(db.func.count()).select_from(BookingEvent).filter_by(action="paid"))
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    print(f"deliveries: {len(bodies)} (answers: {sorted(set(codes))}), distinct payments: {len(intents)}")
    print(
        f"fulfilments: {fulfilments} for {len(intents)} distinct payments "
        f"({'equal' if fulfilments == len(intents) else 'NOT EQUAL'})"
    )
    print(f"deliveries per second: {len(bodies) / elapsed:.0f} (mail written to the outbox for each fulfilment)")


if __name__ == "__main__":
    main()
