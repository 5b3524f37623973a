"""Deliveries to a real receiver on loopback, each verified with the PyPI standardwebhooks library;
retries driven by moving the clock and running the sweeper."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from jobs.models import Job, JobKind
from studio.webhooks.delivery import RETRY_DELAYS, webhooks_sweep
from studio.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from studio.webhooks.services import callback_secret_issue, endpoint_create, webhooks_callback_register, webhooks_emit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed", "sync_queue")]

LOW = {"available": 3, "threshold": 10}


def _verified(secret: str, received) -> dict:
    return Webhook(secret).verify(received.body, received.headers)


def test_event_is_delivered_signed_by_standard_webhooks(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    (got,) = receiver.received
    payload = _verified(issued.secret, got)
    assert payload["type"] == "balance.low" and payload["data"] == LOW and payload["timestamp"]
    assert got.headers["webhook-id"] == delivery.event_id and delivery.event_id.startswith("msg_")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1


def test_a_wrong_secret_does_not_verify(owner, receiver, committed):
    endpoint_create(owner=owner, url=receiver.url)
    committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    other = endpoint_create(owner=owner, url=receiver.url + "/other").secret
    with pytest.raises(WebhookVerificationError):
        _verified(other, receiver.received[0])


def test_receiver_failing_twice_gets_the_event_once_delivered(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    receiver.statuses = [500, 503]
    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)
    start = timezone.now()

    assert webhooks_sweep(now=start + timedelta(seconds=1)) == []  # the 5 s retry is not due yet
    assert webhooks_sweep(now=start + timedelta(seconds=6)) == [delivery.id]
    assert webhooks_sweep(now=start + timedelta(seconds=20)) == []  # the next one waits 30 s
    assert webhooks_sweep(now=start + timedelta(minutes=1)) == [delivery.id]
    assert webhooks_sweep(now=start + timedelta(days=3)) == []

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 3
    assert [a.status_code for a in WebhookAttempt.objects.filter(delivery=delivery).order_by("id")] == [500, 503, 200]
    assert len(receiver.received) == 3
    assert {got.headers["webhook-id"] for got in receiver.received} == {delivery.event_id}
    assert all(_verified(issued.secret, got)["type"] == "balance.low" for got in receiver.received)


def test_attempt_log_keeps_status_duration_and_answer(owner, receiver, committed):
    endpoint_create(owner=owner, url=receiver.url)
    receiver.statuses = [502]
    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempt.status_code == 502 and attempt.response_excerpt == "answered 502"
    assert attempt.duration is not None and attempt.url == receiver.url
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at - attempt.at == pytest.approx(RETRY_DELAYS[0], abs=timedelta(seconds=2))


def test_gone_disables_the_endpoint(owner, receiver, committed):
    endpoint = endpoint_create(owner=owner, url=receiver.url).endpoint
    receiver.statuses = [410]
    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert delivery.state == DeliveryState.ABANDONED
    assert committed(webhooks_emit, owner=owner, type="balance.low", data=LOW) == []
    assert len(receiver.received) == 1 and mail.outbox == []


def test_endpoint_failing_for_days_is_disabled_and_owner_emailed(owner, receiver, committed, settings):
    endpoint = endpoint_create(owner=owner, url=receiver.url).endpoint
    days = settings.STUDIO_WEBHOOK_DISABLE_AFTER_DAYS
    WebhookEndpoint.objects.filter(id=endpoint.id).update(failing_since=timezone.now() - timedelta(days=days))
    receiver.statuses = [500]
    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert not endpoint.enabled and delivery.state == DeliveryState.ABANDONED
    (message,) = mail.outbox
    assert message.to == [owner.email] and receiver.url in message.body


def test_endpoint_failing_less_than_the_limit_stays_enabled(owner, receiver, committed):
    endpoint = endpoint_create(owner=owner, url=receiver.url).endpoint
    WebhookEndpoint.objects.filter(id=endpoint.id).update(failing_since=timezone.now() - timedelta(days=1))
    receiver.statuses = [500]
    committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    endpoint.refresh_from_db()
    assert endpoint.enabled and mail.outbox == []


def test_success_resets_the_failing_clock(owner, receiver, committed):
    endpoint = endpoint_create(owner=owner, url=receiver.url).endpoint
    WebhookEndpoint.objects.filter(id=endpoint.id).update(failing_since=timezone.now() - timedelta(days=1))
    committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_delivery_fails_for_good_after_the_whole_schedule(owner, receiver, committed):
    job = Job.objects.create(owner=owner, kind=JobKind.CHECK, input={})
    callback_secret_issue(owner=owner)
    webhooks_callback_register(job=job, url=receiver.url)
    Job.objects.filter(id=job.id).update(state="failed", error_code="internal", finished_at=timezone.now())
    receiver.statuses = [500] * 20
    from studio.portraits.work.job_events import webhooks_job_finished

    (delivery,) = committed(webhooks_job_finished, job=job)
    clock = timezone.now()
    for _ in RETRY_DELAYS:
        clock += timedelta(days=1, minutes=1)
        assert webhooks_sweep(now=clock) == [delivery.id]
    assert webhooks_sweep(now=clock + timedelta(days=30)) == []

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == len(RETRY_DELAYS) + 1
    assert len(receiver.received) == len(RETRY_DELAYS) + 1


def test_endpoints_get_only_the_events_they_subscribe_to(owner, receiver, committed):
    endpoint_create(owner=owner, url=receiver.url, events=["portrait.created"])
    assert committed(webhooks_emit, owner=owner, type="balance.low", data=LOW) == []
    assert receiver.received == []


def test_other_owners_endpoints_get_nothing(owner, receiver, committed):
    from accounts.services import user_get_or_create

    other = user_get_or_create(email="other@example.com")[0]
    endpoint_create(owner=other, url=receiver.url)
    assert committed(webhooks_emit, owner=owner, type="balance.low", data=LOW) == []


def test_a_duplicate_task_sends_nothing_twice(owner, receiver, committed):
    from studio.webhooks.tasks import deliver_webhook

    endpoint_create(owner=owner, url=receiver.url)
    (delivery,) = committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)
    assert deliver_webhook(delivery.id, 0) is None  # the first attempt already happened

    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get(id=delivery.id).attempts == 1


def test_body_is_compact_json_of_the_payload(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    committed(webhooks_emit, owner=owner, type="balance.low", data=LOW)

    body = receiver.received[0].body
    assert json.loads(body) == _verified(issued.secret, receiver.received[0])
    assert receiver.received[0].headers["content-type"] == "application/json"
