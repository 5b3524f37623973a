"""Reads of the webhook pages (website, admin): an account's endpoints and its delivery log."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_list_for(*, owner) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner=owner).order_by("-created_at")


def delivery_list_for(*, owner, endpoint: WebhookEndpoint | None = None, state: str | None = None
                      ) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(owner=owner).select_related("endpoint")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries.order_by("-created_at", "-id")


def attempt_list_for(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return delivery.attempt_log.order_by("at", "id")
