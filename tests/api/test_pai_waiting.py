"""Requests that wait for their job hold a server thread: past STUDIO_SYNC_WAITERS of them in one
process, a synchronous call is refused at once, before it makes a job, and may be sent again."""
from __future__ import annotations

import json

import pytest

from jobs.models import Job
from studio.api.pai_wire import WAITERS_BUSY
from studio.lib.sync_wait import sync_wait_slot
from studio.portraits.models import Photo

CHECK = "/api/v1/aigc_images/check"

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_body(image_server, settings) -> bytes:
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the image server is on loopback
    settings.STUDIO_SYNC_WAITERS = 1
    return json.dumps({"action": "AIGCImageCheck", "images": [f"{image_server}/astronaut.jpg"]}).encode()


def test_check_past_the_waiting_slots_is_busy_and_makes_nothing(pai, check_body):
    with sync_wait_slot():  # another request waiting for its job
        answer = pai(CHECK, check_body)

    assert (answer["code"], answer["message"]) == ("error", WAITERS_BUSY)
    assert not Job.objects.exists() and not Photo.objects.exists()


@pytest.mark.django_db(transaction=True)  # the check job is queued, and so run, at commit
def test_check_refused_for_the_waiting_slots_goes_through_when_sent_again(pai, check_body, sync_queue, settings):
    settings.STUDIO_SYNC_WAIT = 30
    with sync_wait_slot():
        pai(CHECK, check_body)

    answer = pai(CHECK, check_body)  # the same signed request: its replay mark was given back

    assert answer["code"] == "OK"
    assert answer["data"]["check_results"][0]["code"] == 1
