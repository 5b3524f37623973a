"""The studio's only door to Stripe: Checkout sessions, invoices and webhook verification.

Nothing else imports stripe. Without STRIPE_SECRET_KEY purchases and invoices are off and every
outgoing call raises PurchasesOff with a message that says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import stripe
from django.conf import settings

from .errors import PurchasesOff

# Stripe's own default: a signed event older than this is refused (replay protection).
WEBHOOK_TOLERANCE = 300


class WebhookRefused(Exception):
    """The body is not a Stripe event signed with our webhook secret, or it is too old."""


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
    """The verified event as a dict; raises WebhookRefused for a bad or old signature."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRefused("STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified.")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=WEBHOOK_TOLERANCE)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRefused(str(exc)) from None
    return event.to_dict()
