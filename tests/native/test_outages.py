"""The native API while Redis is down: a cache outage lets requests through its throttle, a broker
outage answers 503 with Retry-After and makes nothing."""
from __future__ import annotations

import pytest

from jobs.models import Job

from .conftest import API, ASTRONAUT, upload

pytestmark = pytest.mark.django_db


def test_requests_are_served_while_the_cache_is_down(api, cache_down):
    response = api.get(f"{API}/jobs/")

    assert response.status_code == 200, response.content


def test_submission_while_the_broker_is_down_is_503_with_retry_after(api, broker_down):
    response = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 0})

    assert response.status_code == 503, response.content
    error = response.json()["error"]
    assert error["code"] == "service_unavailable" and "Try again" in error["message"]
    assert int(response["Retry-After"]) == error["retry_after"] > 0
    assert not Job.objects.exists()
