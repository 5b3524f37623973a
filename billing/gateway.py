"""The studio's only door to Stripe: Checkout sessions, invoices and webhook verification.

Nothing else imports stripe. Without STRIPE_SECRET_KEY purchases and invoices are off and every
outgoing call raises PurchasesOff with a message that says so.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

import stripe
from django.conf import settings

from .errors import PurchasesOff

# Stripe's own default: a signed event older than this is refused (replay protection); one
# dated further ahead than this is refused too.
WEBHOOK_TOLERANCE = 300
# The lengths of StripeEvent's columns: a longer id or type is not an event we can record.
EVENT_ID_MAX, EVENT_TYPE_MAX = 255, 100


class StripeEventRefused(Exception):
    """The body is not a Stripe event signed with our webhook secret, or it is too old or too new."""


class StripeEventMalformed(StripeEventRefused):
    """The signature holds, but the body is not a Stripe event this studio can read."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class Invoice:
    id: str
    customer_id: str


def purchases_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    if not purchases_enabled():
        raise PurchasesOff()
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)


def checkout_session_create(*, name: str, points: int, amount_cents: int, currency: str, customer_email: str,
                            reference: str, success_url: str, cancel_url: str) -> CheckoutSession:
    """A one-time Checkout payment for a point package; ``reference`` is our account id."""
    session = _client().v1.checkout.sessions.create(params={
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": currency,
                "unit_amount": amount_cents,
                "product_data": {"name": f"{name}: {points} points"},
            },
        }],
        "customer_email": customer_email,
        "client_reference_id": reference,
        "metadata": {"account": reference, "points": str(points)},
        "success_url": success_url,
        "cancel_url": cancel_url,
    })
    return CheckoutSession(id=session.id, url=session.url)


def invoice_create(*, customer_id: str, customer_email: str, amount_cents: int, currency: str,
                   description: str, idempotency_key: str) -> Invoice:
    """A Stripe invoice of one line, sent to the customer (created once per idempotency key)."""
    client = _client()
    if not customer_id:
        customer = client.v1.customers.create(
            params={"email": customer_email}, options={"idempotency_key": f"{idempotency_key}:customer"}
        )
        customer_id = customer.id
    invoice = client.v1.invoices.create(
        params={"customer": customer_id, "collection_method": "send_invoice", "days_until_due": 14,
                "description": description},
        options={"idempotency_key": f"{idempotency_key}:invoice"},
    )
    client.v1.invoice_items.create(
        params={"customer": customer_id, "invoice": invoice.id, "amount": amount_cents, "currency": currency,
                "description": description},
        options={"idempotency_key": f"{idempotency_key}:item"},
    )
    client.v1.invoices.send_invoice(invoice.id, options={"idempotency_key": f"{idempotency_key}:send"})
    return Invoice(id=invoice.id, customer_id=customer_id)


def webhook_event(*, payload: bytes, signature: str | None) -> dict:
    """The verified event as a dict. StripeEventRefused for a missing, bad, old or future signature;
    StripeEventMalformed for a signed body that is not an event (nothing may be done with it)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise StripeEventRefused("STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified.")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise StripeEventMalformed("The body is not UTF-8 text.") from None
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance=WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise StripeEventRefused(str(exc)) from None
    _future_refuse(signature)
    return _event_parse(text)


def _future_refuse(header: str) -> None:
    # stripe's verify_header refuses only old timestamps; a signed timestamp ahead of our clock by
    # more than the tolerance would stay replayable for that long, so it is refused here. Parsed as
    # stripe parses it (the first t=), after verify_header has accepted the header.
    items = [item.split("=", 2) for item in header.split(",")]
    stamp = int([item[1] for item in items if item[0] == "t"][0])
    if stamp > time.time() + WEBHOOK_TOLERANCE:
        raise StripeEventRefused(f"Timestamp ahead of this server's clock by more than {WEBHOOK_TOLERANCE} s ({stamp})")


def _event_parse(text: str) -> dict:
    """The fields stripe_event_handle relies on, checked; the rest of the event is left as it came."""
    try:
        event = json.loads(text)
    except ValueError:
        raise StripeEventMalformed("The body is not JSON.") from None
    if not isinstance(event, dict):
        raise StripeEventMalformed("The body is not a JSON object.")
    event_id, kind, data = event.get("id"), event.get("type"), event.get("data")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= EVENT_ID_MAX:
        raise StripeEventMalformed(f"The event has no id (a string of at most {EVENT_ID_MAX} characters).")
    if not isinstance(kind, str) or not 0 < len(kind) <= EVENT_TYPE_MAX:
        raise StripeEventMalformed(f"The event has no type (a string of at most {EVENT_TYPE_MAX} characters).")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise StripeEventMalformed("The event has no data.object.")
    object_id = data["object"].get("id", "")
    if not isinstance(object_id, str) or len(object_id) > EVENT_ID_MAX:
        raise StripeEventMalformed(f"The event's data.object.id is not a string of at most {EVENT_ID_MAX} characters.")
    return event
