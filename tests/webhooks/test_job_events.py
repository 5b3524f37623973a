"""Events of jobs that ended, to endpoints and per-request callbacks; test events and redelivery."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from standardwebhooks import Webhook

from jobs.models import Job, JobKind, JobState
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus, Portrait
from studio.portraits.work.job_events import webhooks_job_finished
from studio.webhooks.models import DeliveryState, WebhookDelivery
from studio.webhooks.services import (
    callback_secret_issue,
    delivery_redeliver,
    endpoint_create,
    endpoint_test_send,
    endpoint_update,
    webhooks_callback_register,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed", "sync_queue")]


def _ended(owner, kind: JobKind, state: JobState = JobState.SUCCEEDED, avatar=None, **fields) -> Job:
    job = Job.objects.create(owner=owner, kind=kind, state=state, finished_at=timezone.now(), input={}, **fields)
    if avatar is not None:
        AvatarJob.objects.create(job=job, avatar=avatar)
    return job


@pytest.fixture
def created(owner) -> Job:
    job = _ended(owner, JobKind.CREATE, result={"images": []})
    name = default_storage.save(f"portraits/{owner.id}/hook.jpg", ContentFile(b"\xff\xd8\xff portrait"))
    Portrait.objects.create(owner=owner, job=job, image=name, width=4, height=5, rank=0, identity_distance=0.31)
    return job


def test_portrait_created_carries_signed_urls_and_identity(owner, receiver, committed, created, client):
    issued = endpoint_create(owner=owner, url=receiver.url)
    committed(webhooks_job_finished, job=created)

    payload = Webhook(issued.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert payload["type"] == "portrait.created" and payload["data"]["job_id"] == created.id
    (portrait,) = payload["data"]["portraits"]
    assert portrait["identity_distance"] == 0.31 and portrait["identity_score"] == 0.69
    assert portrait["likeness"] == {"percent": 79, "step": 1, "word": "great", "basis": "avatar"}
    assert "media" not in portrait
    response = client.get(urlsplit(portrait["url"]).path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\xff\xd8\xff portrait"


def test_a_job_ending_is_announced_once(owner, receiver, committed, created):
    endpoint_create(owner=owner, url=receiver.url)
    assert len(committed(webhooks_job_finished, job=created)) == 1
    assert committed(webhooks_job_finished, job=created) == []
    assert len(receiver.received) == 1


def test_avatar_trained(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url, events=["avatar.trained"])
    avatar = Avatar.objects.create(owner=owner, name="Ann", status=AvatarStatus.READY)
    job = _ended(owner, JobKind.TRAIN, avatar=avatar, result={"photos_used": 7})
    committed(webhooks_job_finished, job=job)

    data = Webhook(issued.secret).verify(receiver.received[0].body, receiver.received[0].headers)["data"]
    assert data == {"job_id": job.id, "kind": "train", "state": "succeeded", "model_id": str(avatar.model_id),
                    "name": "Ann", "photos_used": 7}


def test_failed_training_tells_avatar_failed_and_job_failed(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    avatar = Avatar.objects.create(owner=owner, status=AvatarStatus.FAILED)
    job = _ended(owner, JobKind.TRAIN, JobState.FAILED, avatar=avatar, error_code="too_few_faces",
                 error_message="Too few usable photos.")
    committed(webhooks_job_finished, job=job)

    payloads = [Webhook(issued.secret).verify(got.body, got.headers) for got in receiver.received]
    assert [p["type"] for p in payloads] == ["avatar.failed", "job.failed"]
    assert payloads[1]["data"]["error_code"] == "too_few_faces"


def test_running_job_is_not_announced(owner, receiver, committed):
    endpoint_create(owner=owner, url=receiver.url)
    job = Job.objects.create(owner=owner, kind=JobKind.CREATE, state=JobState.RUNNING, input={})
    assert committed(webhooks_job_finished, job=job) == []


def test_callback_url_is_signed_with_the_account_callback_secret(owner, receiver, committed, created):
    secret = callback_secret_issue(owner=owner)
    webhooks_callback_register(job=created, url=receiver.url + "?request=42")
    (delivery,) = committed(webhooks_job_finished, job=created)

    (got,) = receiver.received
    assert got.path == "/hook?request=42" and delivery.endpoint is None
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "portrait.created"


def test_test_event_goes_to_a_disabled_endpoint_too(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url, events=["avatar.trained"])
    endpoint_update(endpoint=issued.endpoint, enabled=False)
    delivery = committed(endpoint_test_send, endpoint=issued.endpoint)

    assert Webhook(issued.secret).verify(receiver.received[0].body, receiver.received[0].headers)["type"] == (
        "webhook.test"
    )
    assert WebhookDelivery.objects.get(id=delivery.id).state == DeliveryState.DELIVERED


def test_redelivery_sends_the_same_event_again(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    receiver.statuses = [500]
    first = committed(endpoint_test_send, endpoint=issued.endpoint)
    again = committed(delivery_redeliver, delivery=first)

    assert [got.headers["webhook-id"] for got in receiver.received] == [first.event_id, first.event_id]
    assert WebhookDelivery.objects.get(id=again.id).state == DeliveryState.DELIVERED
    assert again.redelivery_of_id == first.id


REPORT = {"compliant": False, "checks": [{"name": "mouth_closed", "value": 0.2, "limit": [None, 0.06], "passed": False,
                                          "message": "The mouth is open; close your mouth."}]}


def test_refused_id_photo_event_carries_its_failed_checks(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    job = _ended(owner, JobKind.IDPHOTO, JobState.FAILED, error_code="photo_not_compliant",
                 error_message="This photo would not pass as an ID photo.", result={"compliance": REPORT, "draft": False})

    committed(webhooks_job_finished, job=job)

    payload = Webhook(issued.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert payload["type"] == "job.failed" and payload["data"]["compliance"] == REPORT
    assert payload["data"]["draft"] is False


def test_id_photo_draft_event_is_marked_not_compliant(owner, receiver, committed):
    issued = endpoint_create(owner=owner, url=receiver.url)
    job = _ended(owner, JobKind.IDPHOTO, result={"images": [], "compliance": REPORT, "draft": True})

    committed(webhooks_job_finished, job=job)

    payload = Webhook(issued.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert payload["type"] == "portrait.created"
    assert payload["data"]["draft"] is True and payload["data"]["compliance"]["compliant"] is False
