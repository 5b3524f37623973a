"""A front driving two engine studios, one of which is killed mid-run: every job still gets done
once and charged once; the training lost with it is done again on the other from the stored photos,
and an avatar that lived there is trained again on the other before its portrait is made."""
from __future__ import annotations

import base64
import io

import pytest
from ai_service_python_sdk.client.api.ai_service_aigc_images_api import AIGCImagesApi
from ai_service_python_sdk.client.api.ai_service_job_api import AiServiceJobApi
from ai_service_python_sdk.client.api_client import ApiClient
from PIL import Image

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.slow

OBAMA = [f"faces/obama/{i}.jpg" for i in (1, 2, 3, 4)]
SIMM = [f"faces/john_simm/{i}.jpg" for i in range(1, 5)]
SOLO_TEMPLATE = "templates/easyphoto/1.jpg"


@pytest.fixture(scope="module")
def engines(start_studio):
    return start_studio("engine_a"), start_studio("engine_b")


@pytest.fixture(scope="module")
def front(start_studio, engines):
    return start_studio("front", STUDIO_ENGINE="remote", STUDIO_REMOTE_LOST_AFTER="3",
                        STUDIO_REMOTE_ENDPOINTS=",".join(engine.endpoint for engine in engines))


@pytest.fixture(scope="module")
def sdk(front):
    client = ApiClient(front.base, front.app_id, front.token)
    return AIGCImagesApi(client), AiServiceJobApi(client)


def _finished(jobs_api, job_id: int) -> dict:
    return wait_for(lambda: (lambda j: j if j["state"] in (2, 3) else None)(jobs_api.get_async_job(job_id).data["job"]),
                    timeout=300, what=f"job {job_id}")


def _trains(studio) -> int:
    return sum(kind == "train" for kind, _ in studio.jobs())


def test_killing_an_engine_studio_mid_run_still_gets_every_job_done_once_and_charged_once(sdk, photo_server,
                                                                                        engines, front):
    images_api, jobs_api = sdk
    engine_a, engine_b = engines
    first = images_api.aigc_images_train([f"{photo_server}/{p}" for p in OBAMA], "", None)
    assert _finished(jobs_api, first.data["job_id"])["state"] == 2
    trained_on_a = _trains(engine_a)
    assert trained_on_a == 1 and _trains(engine_b) == 0  # both idle: the first endpoint took it

    second = images_api.aigc_images_train([f"{photo_server}/{p}" for p in SIMM], "", None)
    wait_for(lambda: _trains(engine_a) > trained_on_a, timeout=60, what="the second training to reach engine A")
    engine_a.kill()
    job = _finished(jobs_api, second.data["job_id"])

    assert job["state"] == 2, job["message"]
    assert ("train", "succeeded") in engine_b.jobs()  # the lost training, done again on B

    made = images_api.aigc_images_create(first.data["model_id"], f"{photo_server}/{SOLO_TEMPLATE}", "", None)

    assert made.code == "OK", made.message  # the avatar A held, trained again on B from its photos
    assert Image.open(io.BytesIO(base64.b64decode(made.data["image"]))).size[0] > 0
    assert engine_b.jobs().count(("train", "succeeded")) == 2 and ("create", "succeeded") in engine_b.jobs()
    captures = front.query("select job_id, count(*) from billing_ledgerentry where kind = 'capture' group by job_id")
    assert len(captures) == 3 and all(count == 1 for _, count in captures)
    assert front.query("select state, count(*) from jobs_job where kind in ('train', 'create') group by state") == [
        ("succeeded", 3)]
    endpoints = dict(front.query("select base_url, failures from engines_engineendpoint"))
    assert endpoints[engine_a.base] >= 3 and endpoints[engine_b.base] == 0  # what the admin shows
    assert front.query("select count(*) from engines_endpointwork") == [(0,)]
    assert front.query("select moved_endpoint from engines_avatarroute") == [(engine_b.base,)]
