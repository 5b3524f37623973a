"""The official PAI Python SDK (ai-service-python-sdk), unchanged, against a live studio with a
real django-q2 worker and real photos from ../shared/data."""
from __future__ import annotations

import base64
import io
import json

import pytest
from ai_service_python_sdk.client.api.ai_service_aigc_images_api import AIGCImagesApi
from ai_service_python_sdk.client.api.ai_service_job_api import AiServiceJobApi
from ai_service_python_sdk.client.api_client import ApiClient
from PIL import Image

from accounts.services import credential_create, user_get_or_create
from studio.api.pai_wire import BUSY
from tests.conftest import broker_outage
from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OBAMA = [f"faces/obama/{i}.jpg" for i in (1, 2, 3, 4)]
SIMM = [f"faces/john_simm/{i}.jpg" for i in range(1, 7)]
SALLEY = [f"faces/john_salley/{i}.jpg" for i in range(1, 7)]
SOLO_TEMPLATE = "templates/easyphoto/1.jpg"
PAIR_TEMPLATE = "templates/facechain_inpaint/00_20230125X0028177.jpg"


@pytest.fixture
def studio(live_server, settings, module_worker):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the photo server is on loopback
    settings.STUDIO_SYNC_WAIT = 120
    return live_server.url


def sdk(host: str, email: str = "partner@example.com", token: str | None = None):
    issued = credential_create(owner=user_get_or_create(email=email)[0])
    client = ApiClient(host, issued.app_id, token or issued.token)
    return AIGCImagesApi(client), AiServiceJobApi(client)


def urls(photo_server: str, paths: list[str]) -> list[str]:
    return [f"{photo_server}/{path}" for path in paths]


def train(images_api, jobs_api, image_urls: list[str]) -> str:
    response = images_api.aigc_images_train(image_urls, "", None)
    assert response.code == "OK", response.message
    job_id, model_id = response.data["job_id"], response.data["model_id"]
    job = wait_for(lambda: _finished(jobs_api, job_id), timeout=120, what=f"training job {job_id}")
    assert job["state"] == 2, job["message"]
    return model_id


def size_of(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _finished(jobs_api, job_id: int) -> dict | None:
    job = jobs_api.get_async_job(job_id).data["job"]
    return job if job["state"] in (2, 3) else None


def test_sdk_check_reports_each_photos_engine_code(studio, photo_server):
    images_api, _ = sdk(studio)
    image_urls = urls(photo_server, [*OBAMA[:3], "no_face/coffee.png", "faces/biden/1.jpg"])

    response = images_api.aigc_images_check(image_urls, "", None)

    assert response.code == "OK" and response.message == "success"
    results = response.data["check_results"]
    assert [r["url"] for r in results] == image_urls
    assert [r["code"] for r in results] == [1, 1, 1, 3, 6]
    assert results[3]["message"] == "Number of face is not 1."
    assert results[4]["message"] == "This photo is not the same person in photos."
    assert isinstance(response.data["cost_time"], float)


def test_sdk_check_of_nothing_usable_is_all_images_are_invalid(studio, photo_server):
    images_api, _ = sdk(studio)

    response = images_api.aigc_images_check(urls(photo_server, ["no_face/coffee.png", "no_face/dogs.jpg"]), "", None)

    assert (response.code, response.message) == ("error", "all images are invalid")


def test_sdk_train_reaches_success_with_result_string(studio, photo_server):
    images_api, jobs_api = sdk(studio)

    response = images_api.aigc_images_train(urls(photo_server, OBAMA), "", None)
    job_id, model_id = response.data["job_id"], response.data["model_id"]
    job = wait_for(lambda: _finished(jobs_api, job_id), timeout=120, what="training")

    assert isinstance(job_id, int) and 0 < job_id < 2**31 and len(model_id) == 36
    assert job["state"] == 2 and job["message"] == "success" and job["id"] == job_id
    assert isinstance(job["Result"], str)
    result = json.loads(job["Result"])
    assert result["model_id"] == model_id
    assert [state["code"] for state in result["states"]] == [1, 1, 1, 1]
    assert result["cost_time"] > 0


def test_sdk_solo_create_returns_jpeg_of_template_size(studio, photo_server, shared_data):
    images_api, jobs_api = sdk(studio)
    model_id = train(images_api, jobs_api, urls(photo_server, SIMM))

    response = images_api.aigc_images_create(model_id, f"{photo_server}/{SOLO_TEMPLATE}", "", None)

    assert response.code == "OK", response.message
    image = Image.open(io.BytesIO(base64.b64decode(response.data["image"])))
    assert image.format == "JPEG"
    assert image.size == size_of(shared_data / SOLO_TEMPLATE)
    assert not image.getexif()


def test_sdk_multi_person_create_takes_one_avatar_per_face(studio, photo_server, shared_data):
    images_api, jobs_api = sdk(studio)
    left = train(images_api, jobs_api, urls(photo_server, SIMM))
    right = train(images_api, jobs_api, urls(photo_server, SALLEY))

    response = images_api.aigc_images_create_by_multi_model_ids(
        [left, right], f"{photo_server}/{PAIR_TEMPLATE}", "", None
    )

    assert response.code == "OK", response.message
    image = Image.open(io.BytesIO(base64.b64decode(response.data["image"])))
    assert image.size == size_of(shared_data / PAIR_TEMPLATE)


def test_sdk_with_wrong_token_gets_sign_error(studio, photo_server):
    images_api, _ = sdk(studio, token="not-the-token")

    response = images_api.aigc_images_check(urls(photo_server, OBAMA[:1]), "", None)

    assert (response.code, response.message) == ("error", "sign error")


def test_sdk_train_while_the_broker_is_down_is_busy_then_goes_through(studio, photo_server):
    images_api, _ = sdk(studio)
    with broker_outage():
        busy = images_api.aigc_images_train(urls(photo_server, OBAMA), "", None)
    again = images_api.aigc_images_train(urls(photo_server, OBAMA), "", None)  # the same signed request

    assert (busy.code, busy.message) == ("error", BUSY)
    assert again.code == "OK", again.message


def test_sdk_train_sent_twice_is_refused_as_a_replay(studio, photo_server):
    images_api, _ = sdk(studio)

    first = images_api.aigc_images_train(urls(photo_server, OBAMA), "", None)
    second = images_api.aigc_images_train(urls(photo_server, OBAMA), "", None)

    assert first.code == "OK" and second.code == "error"
    assert second.message.startswith("replayed request:")


def test_sdk_create_with_another_accounts_avatar_is_model_not_found(studio, photo_server):
    owner_api, owner_jobs = sdk(studio, email="owner@example.com")
    model_id = train(owner_api, owner_jobs, urls(photo_server, OBAMA))
    stranger_api, _ = sdk(studio, email="stranger@example.com")

    response = stranger_api.aigc_images_create(model_id, f"{photo_server}/{SOLO_TEMPLATE}", "", None)

    assert (response.code, response.message) == ("error", "model not found")


def test_sdk_train_free_create_takes_the_person_from_ipa_image_path(studio, photo_server, shared_data):
    images_api, _ = sdk(studio)
    configure = {"ipa_control_only": True, "ipa_image_path": f"{photo_server}/{SIMM[0]}"}

    response = images_api.aigc_images_create("", f"{photo_server}/{SOLO_TEMPLATE}", "", configure)

    assert response.code == "OK", response.message
    image = Image.open(io.BytesIO(base64.b64decode(response.data["image"])))
    assert image.size == size_of(shared_data / SOLO_TEMPLATE)
