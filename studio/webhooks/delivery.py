"""Sending webhook deliveries: one POST per attempt on a worker, retried on a schedule over about
two days, each attempt logged; 410 and days of failure disable an endpoint.

An attempt is fenced by the delivery's attempt count (a conditional UPDATE claims it), so a task
delivered twice, or a sweep that runs while an attempt is in flight, sends nothing twice.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from studio.lib.media_urls import media_url_sign
from studio.lib.outbound import OutboundError, limits_from_settings, url_post

from .models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType
from .signing import headers_sign, secrets_active

log = logging.getLogger(__name__)

# The wait after the first, second... failed attempt: nine attempts over about 45 hours.
RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 30, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
)
SWEEP_BATCH = 500
DELIVER_TASK = "studio.webhooks.tasks.deliver_webhook"
ERROR_CHARS = 500


def _lease() -> timedelta:
    # Longer than one POST may take, so that a sweep does not pick an attempt that is still running.
    return timedelta(seconds=settings.STUDIO_WEBHOOK_TIMEOUT + 60)


def delivery_enqueue(*, delivery: WebhookDelivery) -> None:
    options = {"task_name": f"webhook {delivery.id} ({delivery.type})"}
    if settings.STUDIO_SPLIT_CLUSTERS:
        options["cluster"] = "cpu"  # light work: keep it off the GPU machines
    async_task(DELIVER_TASK, delivery.id, delivery.attempts, q_options=options)


def webhooks_sweep(*, now: datetime | None = None) -> list[int]:
    """Enqueues an attempt for every pending delivery whose time has come; returns their ids."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", "attempts")[:SWEEP_BATCH]
    )
    for delivery_id, attempts in due:
        async_task(DELIVER_TASK, delivery_id, attempts, now.isoformat(),
                   q_options={"task_name": f"webhook {delivery_id} (retry)"})
    return [delivery_id for delivery_id, _ in due]


def delivery_attempt(*, delivery_id: int, attempts: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Attempt number ``attempts + 1`` of a pending delivery; None when another sender has it."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(id=delivery_id, state=DeliveryState.PENDING, attempts=attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=now + _lease()
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "owner").get(id=delivery_id)
    endpoint = delivery.endpoint
    if endpoint is not None and not endpoint.enabled and delivery.type != WebhookEventType.TEST:
        _finish(delivery, DeliveryState.ABANDONED, now, error=f"The endpoint is disabled: {endpoint.disabled_reason}")
        return delivery
    url = endpoint.url if endpoint else delivery.url
    status, error = _post(delivery, url, now)
    if status is not None and 200 <= status < 300:
        _finish(delivery, DeliveryState.DELIVERED, now)
        if endpoint is not None:
            WebhookEndpoint.objects.filter(id=endpoint.id).update(failing_since=None)
    elif status == 410:
        _finish(delivery, DeliveryState.ABANDONED, now, error="The receiver answered 410 Gone.")
        if endpoint is not None:
            endpoint_disable(endpoint=endpoint, reason="The endpoint answered 410 Gone.", notify=False)
    else:
        _failed(delivery, now, error=error or f"HTTP status {status}")
    delivery.refresh_from_db()
    return delivery


def _post(delivery: WebhookDelivery, url: str, now: datetime) -> tuple[int | None, str]:
    from .services import callback_secret_for  # services imports this module

    holder = delivery.endpoint or callback_secret_for(owner=delivery.owner)
    body = json.dumps(_rendered(delivery.payload), separators=(",", ":"), ensure_ascii=False).encode()
    # The wall clock, not a test's moved one: receivers refuse timestamps more than minutes off.
    headers = headers_sign(secrets_=secrets_active(holder, now=now), msg_id=delivery.event_id,
                           timestamp=int(time.time()), body=body)
    limits = limits_from_settings(timeout=float(settings.STUDIO_WEBHOOK_TIMEOUT), content_types=())
    attempt = WebhookAttempt(delivery=delivery, url=url)
    try:
        posted = url_post(url, content=body, headers=headers, limits=limits)
    except OutboundError as exc:
        attempt.error = f"{exc.code}: {exc.message}"[:ERROR_CHARS]
        attempt.save()
        return None, attempt.error
    attempt.status_code, attempt.duration, attempt.response_excerpt = posted.status, posted.elapsed, posted.excerpt
    attempt.save()
    return posted.status, ""


def _rendered(value):
    """The payload as sent: each ``media`` (a storage name) becomes a freshly signed ``url``."""
    if isinstance(value, dict):
        rendered = {key: _rendered(item) for key, item in value.items() if key != "media"}
        if "media" in value:
            rendered["url"] = media_url_sign(name=value["media"])
        return rendered
    if isinstance(value, list):
        return [_rendered(item) for item in value]
    return value


def _finish(delivery: WebhookDelivery, state: str, now: datetime, *, error: str = "") -> None:
    WebhookDelivery.objects.filter(id=delivery.id, attempts=delivery.attempts).update(
        state=state, finished_at=now, next_attempt_at=None, last_error=error[:ERROR_CHARS]
    )


def _failed(delivery: WebhookDelivery, now: datetime, *, error: str) -> None:
    endpoint = delivery.endpoint
    if endpoint is not None:
        WebhookEndpoint.objects.filter(id=endpoint.id, failing_since__isnull=True).update(failing_since=now)
        endpoint.refresh_from_db(fields=["failing_since", "enabled"])
        limit = timedelta(days=settings.STUDIO_WEBHOOK_DISABLE_AFTER_DAYS)
        if endpoint.enabled and endpoint.failing_since <= now - limit:
            days = settings.STUDIO_WEBHOOK_DISABLE_AFTER_DAYS
            endpoint_disable(endpoint=endpoint, reason=f"Every delivery failed for {days} days.", notify=True)
            _finish(delivery, DeliveryState.ABANDONED, now, error=error)
            return
    if delivery.attempts > len(RETRY_DELAYS):
        _finish(delivery, DeliveryState.FAILED, now, error=error)
        return
    WebhookDelivery.objects.filter(id=delivery.id, attempts=delivery.attempts).update(
        next_attempt_at=now + RETRY_DELAYS[delivery.attempts - 1], last_error=error[:ERROR_CHARS]
    )


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, notify: bool) -> bool:
    """Disables the endpoint, abandons what it still had to receive, and emails its owner if asked."""
    if not WebhookEndpoint.objects.filter(id=endpoint.id, enabled=True).update(enabled=False, disabled_reason=reason):
        return False
    WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).exclude(
        type=WebhookEventType.TEST
    ).update(state=DeliveryState.ABANDONED, finished_at=timezone.now(), next_attempt_at=None,
             last_error=f"The endpoint was disabled: {reason}"[:ERROR_CHARS])
    if notify and endpoint.owner.email:
        send_mail(
            subject="Your webhook endpoint was disabled",
            message=(
                f"The portrait studio disabled your webhook endpoint {endpoint.url}.\n\n{reason}\n\n"
                "Fix the receiver, then enable the endpoint again; the delivery log shows every attempt."
            ),
            from_email=None,
            recipient_list=[endpoint.owner.email],
        )
    log.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)
    return True
