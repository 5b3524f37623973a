"""Private addresses refused at registration and again at delivery; secret rotation signs with both."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from studio.webhooks.models import DeliveryState, WebhookAttempt, WebhookEndpoint
from studio.webhooks.services import WebhookRefused, endpoint_create, endpoint_secret_rotate, webhooks_emit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sync_queue")]

LOW = {"available": 3}


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest",
    "http://[::1]/hook", "http://[::ffff:192.168.0.1]/hook", "http://0.0.0.0/hook",
])
def test_private_url_refused_at_registration(owner, url):
    with pytest.raises(WebhookRefused, match="private, local or reserved"):
        endpoint_create(owner=owner, url=url)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "http://user:pw@example.com/hook", "not a url"])
def test_malformed_url_refused_at_registration(owner, url):
    with pytest.raises(WebhookRefused):
        endpoint_create(owner=owner, url=url)


def test_unknown_event_type_refused(owner, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    with pytest.raises(WebhookRefused, match="Unknown event types: avatar.exploded"):
        endpoint_create(owner=owner, url="http://127.0.0.1/hook", events=["avatar.exploded"])


def test_private_address_refused_again_at_delivery(owner, receiver, committed, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    endpoint_create(owner=owner, url=receiver.url)
    settings.STUDIO_ALLOW_PRIVATE_URLS = False  # as if the name now resolved to an internal address

    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    assert receiver.received == []
    (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempt.status_code is None and attempt.error.startswith("private_address:")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.last_error == attempt.error


def test_unreachable_receiver_is_logged_and_retried(owner, committed, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    endpoint_create(owner=owner, url="http://127.0.0.1:9/hook")  # the discard port: nothing listens

    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.last_error.startswith("unreachable:")


@pytest.mark.usefixtures("loopback_allowed")
def test_rotation_signs_with_old_and_new_secret(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    new = endpoint_secret_rotate(endpoint=issued.endpoint)
    committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    (got,) = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(issued.secret).verify(got.body, got.headers)["type"] == "balance.low"
    assert Webhook(new).verify(got.body, got.headers)["type"] == "balance.low"
    assert new != issued.secret and new.startswith("whsec_")


@pytest.mark.usefixtures("loopback_allowed")
def test_old_secret_stops_signing_after_the_overlap(owner, receiver, committed, settings):
    issued = endpoint_create(owner=owner, url=receiver.url)
    overlap = timedelta(seconds=settings.STUDIO_WEBHOOK_SECRET_OVERLAP)
    new = endpoint_secret_rotate(endpoint=issued.endpoint, now=timezone.now() - overlap - timedelta(minutes=1))
    committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    (got,) = receiver.received
    assert Webhook(new).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(issued.secret).verify(got.body, got.headers)


def test_secret_is_kept_encrypted(owner, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    issued = endpoint_create(owner=owner, url="http://127.0.0.1/hook")
    stored = WebhookEndpoint.objects.get(id=issued.endpoint.id).secret_encrypted
    assert issued.secret.removeprefix("whsec_") not in stored and len(issued.secret) >= len("whsec_") + 32
