"""The admin's webhook pages: the log renders with its attempts; test events and redelivery act."""
from __future__ import annotations

import pytest
from django.urls import reverse

from studio.webhooks.models import DeliveryState, WebhookDelivery
from studio.webhooks.services import endpoint_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed", "sync_queue")]


def test_send_test_event_action_then_log_and_redeliver(admin_client, owner, receiver, django_capture_on_commit_callbacks):
    endpoint = endpoint_create(owner=owner, url=receiver.url).endpoint
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:webhooks_webhookendpoint_changelist"),
                                     {"action": "send_test_event", "_selected_action": [endpoint.id]})
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.type == "webhook.test"

    page = admin_client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.id]))
    assert page.status_code == 200 and b"answered 500" in page.content
    listing = admin_client.get(reverse("admin:webhooks_webhookdelivery_changelist") + "?state=pending")
    assert delivery.event_id.encode() in listing.content

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:webhooks_webhookdelivery_changelist"),
                          {"action": "redeliver_selected", "_selected_action": [delivery.id]})
    assert WebhookDelivery.objects.filter(redelivery_of=delivery, state=DeliveryState.DELIVERED).count() == 1
    assert len(receiver.received) == 2
