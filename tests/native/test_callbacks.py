"""A Callback-Url on a native API request: the job's events reach it, signed with the account's
callback secret, verifiable with the standardwebhooks library."""
from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from jobs.models import Job
from tests.webhooks.conftest import receiver  # noqa: F401 - a real HTTP receiver on loopback

from .conftest import API, ASTRONAUT, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_callback_url_gets_the_jobs_event_signed_with_the_callback_secret(api, sync_queue, receiver, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the receiver is on loopback
    secret = api.post(f"{API}/callback-secret/").json()["secret"]

    created = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 7},
                       headers={"Callback-Url": receiver.url})

    assert created.status_code == 201, created.content
    (delivery,) = receiver.received
    event = Webhook(secret).verify(delivery.body, delivery.headers)
    assert event["type"] == "stylization.created"
    assert json.loads(delivery.body)["data"]["job_id"] == created.json()["id"]


def test_private_callback_url_is_refused_before_any_job(api):
    response = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 0},
                        headers={"Callback-Url": "http://10.0.0.7/hook"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_callback_url"
    assert not Job.objects.exists()
