"""The only module that talks to Stripe. It keeps to the parameters both Stripe and localstripe accept."""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from flask import current_app


class GatewayError(Exception):
    """Stripe refused or could not be reached; str() is safe to show to the person."""


class CardDeclined(GatewayError):
    pass


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str
    amount: int
    currency: str


def enabled() -> bool:
    return bool(current_app.config["STRIPE_SECRET_KEY"])


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config["STRIPE_API_BASE"]
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"], max_network_retries=2, base_addresses={"api": base} if base else None
    )


def _intent(obj) -> Intent:
    return Intent(obj.id, obj.client_secret, obj.status, obj.amount, obj.currency.upper())


def create_intent(amount_minor: int, currency: str, metadata: dict[str, str], idempotency_key: str) -> Intent:
    """A PaymentIntent for a card; `metadata` names what it pays for ({"booking_id": "12"}, {"instalment_id": "3"})."""
    try:
        obj = _client().v1.payment_intents.create(
            # payment_method_types: the API and localstripe take it; the SDK's TypedDict does not list it
            params={  # type: ignore[typeddict-unknown-key]
                "amount": amount_minor,
                "currency": currency.lower(),
                "payment_method_types": ["card"],
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise GatewayError("The card payment could not be started. Please try again in a moment.") from error
    return _intent(obj)


def pay_with_test_card(intent_id: str, payment_method: str) -> Intent:
    """The offline demo and the tests play the browser: attach a test card and confirm."""
    payment_intents = _client().v1.payment_intents
    try:
        payment_intents.update(intent_id, params={"payment_method": payment_method})
        return _intent(payment_intents.confirm(intent_id))
    except stripe.CardError as error:
        raise CardDeclined(error.user_message or "Your card was declined.") from error
    except stripe.StripeError as error:
        raise GatewayError("The payment could not be completed. Please try again.") from error


def retrieve_intent(intent_id: str) -> Intent | None:
    try:
        return _intent(_client().v1.payment_intents.retrieve(intent_id))
    except stripe.StripeError:
        return None


def cancel_intent(intent_id: str) -> bool:
    """Cancel an unpaid intent; False if Stripe says it can't be cancelled (e.g. it has just succeeded)."""
    try:
        _client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError:
        return False
    return True


def refund(intent_id: str, amount_minor: int, idempotency_key: str) -> tuple[str, str | None]:
    """(refund id, Stripe's status: pending, succeeded, failed ...)."""
    try:
        obj = _client().v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_minor}, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise GatewayError("Stripe did not accept the refund. Nothing was refunded.") from error
    return obj.id, obj.status


def verified_event(payload: bytes, signature: str) -> stripe.Event:
    """The event if the signature over the raw body is right and recent; ValueError otherwise."""
    try:
        return stripe.Webhook.construct_event(payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"])
    except stripe.SignatureVerificationError as error:
        raise ValueError("bad signature") from error
