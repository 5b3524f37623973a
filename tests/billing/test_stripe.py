"""Point packages through Stripe: webhooks signed exactly as Stripe signs them and verified by the
stripe library; outgoing calls replaced only at billing.gateway."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from billing import gateway
from billing.models import Checkout, LedgerEntry, PointPackage, StripeEvent
from billing.purchases import checkout_start

from .conftest import balance, customer

pytestmark = pytest.mark.django_db

WEBHOOK = "/billing/stripe/webhook"
SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture
def stripe_on(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_not_a_real_key"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    sessions = []

    def session_create(**fields) -> gateway.CheckoutSession:
        sessions.append(fields)
        return gateway.CheckoutSession(id=f"cs_test_{len(sessions)}", url=f"https://checkout.stripe.com/c/pay/{len(sessions)}")

    monkeypatch.setattr(gateway, "checkout_session_create", session_create)
    return sessions


@pytest.fixture
def buyer():
    return customer("buyer@example.com")


@pytest.fixture
def checkout(stripe_on, buyer) -> Checkout:
    package = PointPackage.objects.get(name="Starter")
    return checkout_start(user=buyer, package=package, success_url="http://t/done", cancel_url="http://t/")


def stripe_signature(payload: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme: v1 = hex HMAC-SHA256 of "<timestamp>.<payload>" keyed with the endpoint secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_id: str, kind: str, session_id: str, *, payment_status: str = "paid") -> str:
    return json.dumps({
        "id": event_id, "object": "event", "type": kind, "api_version": "2025-09-30.clover",
        "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
        "data": {"object": {"id": session_id, "object": "checkout.session", "mode": "payment",
                            "payment_status": payment_status, "amount_total": 900, "currency": "usd"}},
    })


def deliver(client, payload: str, signature: str | None = None):
    return client.post(WEBHOOK, data=payload, content_type="application/json",
                       headers={"Stripe-Signature": signature or stripe_signature(payload)})


def test_checkout_sends_the_package_to_stripe(stripe_on, checkout, buyer):
    assert stripe_on[0]["points"] == 1000 and stripe_on[0]["amount_cents"] == 900
    assert stripe_on[0]["customer_email"] == "buyer@example.com"
    assert checkout.state == "open" and balance(buyer)["available"] == 0  # nothing before the webhook


def test_paid_session_credits_the_package(client, checkout, buyer):
    response = deliver(client, event("evt_1", "checkout.session.completed", checkout.session_id))
    assert response.status_code == 200 and response.json()["outcome"] == "credited 1000 points"
    assert balance(buyer)["available"] == 1000
    entry = LedgerEntry.objects.get(kind="purchase")
    assert entry.reference == f"stripe:session:{checkout.session_id}" and entry.points == 1000


def test_event_delivered_twice_credits_once(client, checkout, buyer):
    payload = event("evt_1", "checkout.session.completed", checkout.session_id)
    deliver(client, payload)
    second = deliver(client, payload)
    assert second.status_code == 200 and second.json()["outcome"] == "duplicate event"
    assert balance(buyer)["available"] == 1000 and StripeEvent.objects.count() == 1


def test_second_event_for_the_same_session_credits_once(client, checkout, buyer):
    deliver(client, event("evt_1", "checkout.session.completed", checkout.session_id))
    second = deliver(client, event("evt_2", "checkout.session.async_payment_succeeded", checkout.session_id))
    assert second.json()["outcome"] == "already credited"
    assert balance(buyer)["available"] == 1000 and LedgerEntry.objects.filter(kind="purchase").count() == 1


def test_delayed_payment_credits_when_it_succeeds(client, checkout, buyer):
    unpaid = deliver(client, event("evt_1", "checkout.session.completed", checkout.session_id, payment_status="unpaid"))
    assert unpaid.json()["outcome"] == "not paid yet" and balance(buyer)["available"] == 0
    deliver(client, event("evt_2", "checkout.session.async_payment_succeeded", checkout.session_id))
    assert balance(buyer)["available"] == 1000


def test_failed_delayed_payment_credits_nothing(client, checkout, buyer):
    deliver(client, event("evt_1", "checkout.session.async_payment_failed", checkout.session_id, payment_status="unpaid"))
    assert balance(buyer)["available"] == 0
    assert Checkout.objects.get(id=checkout.id).state == "failed"


def test_bad_signature_credits_nothing(client, checkout, buyer):
    payload = event("evt_1", "checkout.session.completed", checkout.session_id)
    response = deliver(client, payload, stripe_signature(payload, secret="whsec_someone_else"))
    assert response.status_code == 400
    assert balance(buyer)["available"] == 0 and not StripeEvent.objects.exists()


def test_body_changed_after_signing_credits_nothing(client, checkout, buyer):
    payload = event("evt_1", "checkout.session.completed", checkout.session_id)
    response = deliver(client, payload.replace('"paid"', '"paid" '), stripe_signature(payload))
    assert response.status_code == 400 and balance(buyer)["available"] == 0


def test_signature_older_than_tolerance_credits_nothing(client, checkout, buyer):
    payload = event("evt_1", "checkout.session.completed", checkout.session_id)
    old = stripe_signature(payload, timestamp=int(time.time()) - gateway.WEBHOOK_TOLERANCE - 10)
    assert deliver(client, payload, old).status_code == 400
    assert balance(buyer)["available"] == 0


def test_signature_dated_beyond_tolerance_in_the_future_credits_nothing(client, checkout, buyer):
    # stripe's verify_header refuses old timestamps only; a future one would stay replayable until then.
    payload = event("evt_1", "checkout.session.completed", checkout.session_id)
    ahead = stripe_signature(payload, timestamp=int(time.time()) + 3600)

    response = deliver(client, payload, ahead)

    assert response.status_code == 400 and response.json()["error"] == "invalid signature"
    assert balance(buyer)["available"] == 0 and not StripeEvent.objects.exists()


def test_signature_a_little_ahead_of_our_clock_is_accepted(client, checkout, buyer):
    payload = event("evt_1", "checkout.session.completed", checkout.session_id)
    ahead = stripe_signature(payload, timestamp=int(time.time()) + 60)  # Stripe's clock a minute fast

    assert deliver(client, payload, ahead).status_code == 200
    assert balance(buyer)["available"] == 1000


@pytest.mark.parametrize("payload", [
    "not json",
    "[]",
    '"evt_1"',
    "{}",
    '{"id": "evt_1", "type": "checkout.session.completed"}',
    '{"id": "evt_1", "type": "checkout.session.completed", "data": "cs_test_1"}',
    '{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": ["cs_test_1"]}}',
    '{"id": 7, "type": "checkout.session.completed", "data": {"object": {}}}',
    '{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"id": {"x": 1}}}}',
    json.dumps({"id": "e" * 300, "type": "checkout.session.completed", "data": {"object": {}}}),
])
def test_validly_signed_malformed_body_is_400_and_changes_nothing(client, checkout, buyer, payload):
    response = deliver(client, payload, stripe_signature(payload))

    assert response.status_code == 400
    assert response.json()["error"] == "malformed event" and response.json()["message"]
    assert balance(buyer)["available"] == 0 and not StripeEvent.objects.exists()
    assert Checkout.objects.get(id=checkout.id).state == "open"


def test_unpaid_session_credits_nothing(client, checkout, buyer):
    deliver(client, event("evt_1", "checkout.session.completed", checkout.session_id, payment_status="unpaid"))
    assert balance(buyer)["available"] == 0 and Checkout.objects.get(id=checkout.id).state == "open"


def test_success_page_shows_the_balance_once_paid(client, checkout, buyer):
    client.force_login(buyer)
    before = client.get("/billing/checkout/done", {"session_id": checkout.session_id}).json()
    deliver(client, event("evt_1", "checkout.session.completed", checkout.session_id))
    after = client.get("/billing/checkout/done", {"session_id": checkout.session_id}).json()
    assert (before["paid"], before["balance"]["available"]) == (False, 0)
    assert (after["paid"], after["balance"]["available"]) == (True, 1000)


def test_checkout_view_redirects_to_stripe(client, stripe_on, buyer):
    client.force_login(buyer)
    package = PointPackage.objects.get(name="Studio")
    response = client.post(f"/billing/checkout/{package.id}")
    assert response.status_code == 302 and response["Location"].startswith("https://checkout.stripe.com/")


def test_without_stripe_keys_purchases_are_off(client, settings, buyer):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(buyer)
    response = client.post(f"/billing/checkout/{PointPackage.objects.get(name='Studio').id}")
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert not Checkout.objects.exists()
