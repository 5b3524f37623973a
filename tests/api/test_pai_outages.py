"""The PAI API while Redis is down, through signed requests as the SDKs send them: a cache outage
lets requests through (HTTP 200, their real answers), a broker outage is a "try again" in PAI's
envelope with nothing made or charged."""
from __future__ import annotations

import json
import logging
import math

import pytest

from billing.models import Account
from jobs.models import Job, JobKind
from studio.api.pai_wire import BUSY
from studio.lib import ratelimit
from tests.conftest import broker_outage

TRAIN = "/api/v1/aigc_images/train"

pytestmark = pytest.mark.django_db


@pytest.fixture
def train_body(image_server, settings) -> bytes:
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the image server is on loopback
    return json.dumps({"action": "AIGCImageTrain", "images": [f"{image_server}/astronaut.jpg"]}).encode()


def test_job_query_is_answered_while_the_cache_is_down(pai, partner, cache_down):
    job = Job.objects.create(owner=partner.credential.owner, kind=JobKind.TRAIN, app_id=partner.app_id)

    answer = pai(f"/api/v1/async_jobs/{job.id}", b"{}")

    assert (answer["code"], answer["data"]["job"]["id"]) == ("OK", job.id)


def test_train_is_accepted_while_the_cache_is_down(pai, partner, train_body, cache_down):
    answer = pai(TRAIN, train_body)

    assert answer["code"] == "OK"
    assert Job.objects.get(id=answer["data"]["job_id"]).owner == partner.credential.owner


def test_cache_outage_is_logged_once_per_interval_not_per_request(pai, cache_down, caplog, monkeypatch):
    monkeypatch.setattr(ratelimit, "_outage_logged_at", -math.inf)  # another test's outage may have been logged
    with caplog.at_level(logging.WARNING, logger="studio.lib.ratelimit"):
        for _ in range(3):
            pai("/api/v1/async_jobs/42", b"{}")

    outages = [r for r in caplog.records if r.name == "studio.lib.ratelimit"]
    assert len(outages) == 1 and "fail open" in outages[0].getMessage()


def test_train_while_the_broker_is_down_is_busy_and_charges_nothing(pai, partner, train_body, broker_down):
    answer = pai(TRAIN, train_body)

    assert (answer["code"], answer["message"]) == ("error", BUSY)
    owner = partner.credential.owner
    assert not Job.objects.filter(owner=owner).exists()
    assert Account.objects.get(user=owner).trial_trainings == 5


def test_train_refused_for_the_broker_goes_through_when_sent_again(pai, partner, train_body):
    with broker_outage():
        busy = pai(TRAIN, train_body)
    again = pai(TRAIN, train_body)  # the same signed request: not a replay, nothing was done the first time

    assert busy["message"] == BUSY
    assert again["code"] == "OK" and Job.objects.filter(owner=partner.credential.owner).count() == 1
