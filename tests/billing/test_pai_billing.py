"""The PAI API's answers for billing: "exceeded quota" once the trial is spent, and throttling
(HTTP 200, code "error") past the SLA's rates, which recovers as the window moves on."""
from __future__ import annotations

import json
import time

import pytest

from jobs.models import Job, JobState
from studio.lib.ratelimit import rate_limit_hit

from .conftest import balance

TRAIN = "/api/v1/aigc_images/train"


@pytest.fixture
def private_urls_allowed(settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True


def train_body(image_server: str, number: int = 0) -> str:
    # Each training a request of its own: the same signed request twice is refused as a replay.
    return json.dumps({"action": "AIGCImageTrain", "images": [f"{image_server}/astronaut.jpg"]}) + " " * number


@pytest.mark.django_db(transaction=True)
def test_sixth_training_of_the_trial_is_exceeded_quota(pai, partner, image_server, private_urls_allowed,
                                                       no_rate_limits, sync_queue):
    owner = partner.credential.owner
    answers = [pai(TRAIN, train_body(image_server, number)) for number in range(6)]

    assert [a["code"] for a in answers] == ["OK"] * 5 + ["error"]
    assert answers[5]["message"] == "exceeded quota"
    assert Job.objects.filter(owner=owner, kind="train").count() == 5
    # The trainings ran to success on the sync queue: the trial is spent, not just held.
    assert Job.objects.filter(owner=owner, kind="train", state=JobState.SUCCEEDED).count() == 5
    assert balance(owner) == {"available": 0, "reserved": 0, "trial_trainings": 0, "trial_creations": 200}


@pytest.mark.django_db
def test_third_training_in_a_second_is_throttled(pai):
    # Refused at once for the private address, but counted by the rate limit all the same.
    body = json.dumps({"action": "AIGCImageTrain", "images": ["http://10.0.0.1/a.jpg"]})
    answers = [pai(TRAIN, body) for _ in range(3)]

    assert [a["code"] for a in answers] == ["error"] * 3
    assert "throttling" not in answers[1]["message"]
    assert answers[2]["message"].startswith("Request was denied due to request throttling: pai.train allows 2 per")


@pytest.mark.django_db
def test_job_query_allows_twenty_a_second(pai):
    answers = [pai("/api/v1/async_jobs/42", b"{}")["message"] for _ in range(21)]
    assert answers[:20] == ["job not found"] * 20 and "throttling" in answers[20]


@pytest.mark.django_db
def test_rate_limit_trips_and_recovers_when_the_oldest_request_leaves_the_window(partner):
    owner = partner.credential.owner
    hits = [rate_limit_hit(owner=owner, operation="pai.train") for _ in range(3)]
    assert [hit.allowed for hit in hits] == [True, True, False]
    # The window moves: still refused half-way (a refusal is not counted), let through once it has passed.
    time.sleep(hits[2].retry_after / 2)
    assert not rate_limit_hit(owner=owner, operation="pai.train").allowed
    time.sleep(hits[2].retry_after / 2)
    assert rate_limit_hit(owner=owner, operation="pai.train").allowed


@pytest.mark.django_db
def test_multi_person_creation_has_its_own_lower_limit(partner):
    owner = partner.credential.owner
    multi = [rate_limit_hit(owner=owner, operation="pai.create_multi").allowed for _ in range(6)]
    solo = [rate_limit_hit(owner=owner, operation="pai.create_solo").allowed for _ in range(11)]
    assert multi.count(True) == 5 and solo.count(True) == 10
