"""Webhook services: endpoints and their secrets, per-request callbacks, emitting events, test
events and manual redelivery. Sending itself is delivery.py's. What an event says is its sender's
business (the product for jobs, billing for balance.low): webhooks only carry it."""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.models import Job
from studio.lib.outbound import OutboundError, limits_from_settings, url_destination_check

from .delivery import delivery_enqueue
from .models import (
    DeliveryState,
    WebhookCallback,
    WebhookCallbackSecret,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from .signing import secret_generate, secret_set

EVENT_TYPES = [choice.value for choice in WebhookEventType if choice != WebhookEventType.TEST]


class WebhookRefused(Exception):
    """A URL or a list of events the studio does not accept; ``message`` is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IssuedEndpoint:
    """A new endpoint with its secret in clear: the only time the secret is shown."""

    endpoint: WebhookEndpoint
    secret: str


def webhook_url_check(*, url: str) -> None:
    """Refuses URLs that are malformed or whose host resolves to a private, local or reserved address.
    Delivery checks again at connect time (studio.lib.outbound), since DNS can change after registration."""
    try:
        url_destination_check(url, limits=limits_from_settings())
    except OutboundError as exc:
        if exc.code == "private_address":
            raise WebhookRefused(f"{exc.message} Webhooks go to public hosts.") from None
        raise WebhookRefused(exc.message) from None


def _events_checked(events: Iterable[str]) -> list[str]:
    events = list(dict.fromkeys(events))
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise WebhookRefused(f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}.")
    return events


def endpoint_create(*, owner, url: str, events: Iterable[str] = (), description: str = "") -> IssuedEndpoint:
    """``events`` empty subscribes to every type."""
    webhook_url_check(url=url)
    secret = secret_generate()
    endpoint = WebhookEndpoint(owner=owner, url=url, events=_events_checked(events), description=description)
    secret_set(endpoint, secret=secret, overlap_until=None)
    endpoint.save()
    return IssuedEndpoint(endpoint=endpoint, secret=secret)


def endpoint_update(*, endpoint: WebhookEndpoint, url: str | None = None, events: Iterable[str] | None = None,
                    enabled: bool | None = None) -> WebhookEndpoint:
    if url is not None and url != endpoint.url:
        webhook_url_check(url=url)
        endpoint.url = url
    if events is not None:
        endpoint.events = _events_checked(events)
    if enabled is not None:
        endpoint.enabled = enabled
        if enabled:  # a fresh start: the days of failure count again from the next failure
            endpoint.disabled_reason = ""
            endpoint.failing_since = None
    endpoint.save()
    return endpoint


def _overlap_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.STUDIO_WEBHOOK_SECRET_OVERLAP)


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log (deliveries and attempts go with it)."""
    endpoint.delete()


def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret, returned once; the old one keeps signing next to it for the overlap (24 h)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint.id)
    secret = secret_generate()
    secret_set(endpoint, secret=secret, overlap_until=_overlap_until(now or timezone.now()))
    endpoint.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_expires_at"])
    return secret


@transaction.atomic
def callback_secret_issue(*, owner, now: datetime | None = None) -> str:
    """The account's callback secret, new and returned once (the old one signs for the overlap too).
    Per-request callbacks of every API are signed with it, as endpoints are with theirs."""
    holder = WebhookCallbackSecret.objects.select_for_update().filter(owner=owner).first()
    secret = secret_generate()
    if holder is None:
        holder = WebhookCallbackSecret(owner=owner)
        secret_set(holder, secret=secret, overlap_until=None)
    else:
        secret_set(holder, secret=secret, overlap_until=_overlap_until(now or timezone.now()))
    holder.save()
    return secret


def callback_secret_for(*, owner) -> WebhookCallbackSecret:
    """The row that signs the owner's callbacks; made (unseen) if the account never issued one."""
    holder = WebhookCallbackSecret.objects.filter(owner=owner).first()
    if holder is None:
        callback_secret_issue(owner=owner)
        holder = WebhookCallbackSecret.objects.get(owner=owner)
    return holder


def webhooks_callback_register(*, job: Job, url: str) -> WebhookCallback:
    """Keeps a request's callback URL for its job: the job's events are posted there when it ends."""
    webhook_url_check(url=url)
    callback, _ = WebhookCallback.objects.update_or_create(job=job, defaults={"url": url})
    return callback


def _event_id(seed: str | None) -> str:
    return "msg_" + (hashlib.sha256(seed.encode()).hexdigest()[:32] if seed else uuid.uuid4().hex)


def _payload(event_type: str, data: dict, at: datetime) -> dict:
    return {"type": event_type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}


def _deliveries_create(*, owner, event_type: str, data: dict, job: Job | None, seed: str | None,
                       endpoints: Iterable[WebhookEndpoint], callback_url: str | None) -> list[WebhookDelivery]:
    now = timezone.now()
    event_id = _event_id(seed)
    payload = _payload(event_type, data, now)
    targets = [(endpoint, "", f"{event_id}:endpoint:{endpoint.id}") for endpoint in endpoints]
    if callback_url:
        targets.append((None, callback_url, f"{event_id}:callback"))
    created = []
    for endpoint, url, dedupe_key in targets:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    owner=owner, endpoint=endpoint, url=url, job=job, event_id=event_id, type=event_type,
                    payload=payload, dedupe_key=dedupe_key, next_attempt_at=now,
                )
        except IntegrityError:
            continue  # this event was already queued for this target
        created.append(delivery)
        transaction.on_commit(lambda delivery=delivery: delivery_enqueue(delivery=delivery))
    return created


def _subscribed(owner, event_type: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(owner=owner, enabled=True) if e.wants(event_type)]


def webhooks_emit(*, owner, type: str, data: dict, job: Job | None = None,  # noqa: A002
                  seed: str | None = None) -> list[WebhookDelivery]:
    """Queues one event to each of the owner's enabled endpoints that subscribe to it, and to the
    job's callback URL when the event is about a job that has one; the first attempt is made once
    the surrounding transaction commits. ``seed`` makes the event id stable, so that emitting the
    same event twice queues it once."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    callback = WebhookCallback.objects.filter(job=job).first() if job is not None else None
    return _deliveries_create(owner=owner, event_type=type, data=data, job=job, seed=seed,
                              endpoints=_subscribed(owner, type), callback_url=callback.url if callback else None)


def webhooks_balance_low(*, account, data: dict) -> None:
    """Billing's announcement that an account's points ran low (billing.events)."""
    webhooks_emit(owner=account.user, type=WebhookEventType.BALANCE_LOW.value, data=data)


def endpoint_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A webhook.test event to this endpoint alone, whatever it subscribes to (even when disabled: to
    check a fix before enabling it again)."""
    data = {"endpoint_url": endpoint.url, "message": "A test event from the portrait studio."}
    (delivery,) = _deliveries_create(owner=endpoint.owner, event_type=WebhookEventType.TEST.value, data=data,
                                     job=None, seed=None, endpoints=[endpoint], callback_url=None)
    return delivery


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends an event again as a new delivery with the same webhook-id (receivers dedupe on it)."""
    again = WebhookDelivery.objects.create(
        owner_id=delivery.owner_id, endpoint_id=delivery.endpoint_id, url=delivery.url, job_id=delivery.job_id,
        event_id=delivery.event_id, type=delivery.type, payload=delivery.payload, redelivery_of=delivery,
        state=DeliveryState.PENDING, next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: delivery_enqueue(delivery=again))
    return again
