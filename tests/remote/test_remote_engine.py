"""A front studio with STUDIO_ENGINE=remote driving an engine studio (classic engine) on loopback,
both as processes with their own databases and clusters; the official PAI Python SDK against the front."""
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
PAIR_TEMPLATE = "templates/facechain_inpaint/00_20230125X0028177.jpg"


@pytest.fixture(scope="module")
def engine_studio(start_studio):
    return start_studio("engine")


@pytest.fixture(scope="module")
def front(start_studio, engine_studio):
    return start_studio("front", STUDIO_ENGINE="remote", STUDIO_REMOTE_ENDPOINTS=engine_studio.endpoint)


@pytest.fixture(scope="module")
def sdk(front):
    client = ApiClient(front.base, front.app_id, front.token)
    return AIGCImagesApi(client), AiServiceJobApi(client)


@pytest.fixture(scope="module")
def trained(sdk, photo_server) -> tuple[str, dict]:
    """(model_id, the finished job) of a training through the front."""
    images_api, jobs_api = sdk
    response = images_api.aigc_images_train([f"{photo_server}/{p}" for p in OBAMA], "", None)
    assert response.code == "OK", response.message
    job = wait_for(lambda: (lambda j: j if j["state"] in (2, 3) else None)(
        jobs_api.get_async_job(response.data["job_id"]).data["job"]), timeout=300, what="the training")
    return response.data["model_id"], job


def test_check_through_the_front_is_the_engine_studios_verdict(sdk, photo_server, engine_studio):
    images_api, _ = sdk
    urls = [f"{photo_server}/{p}" for p in [*OBAMA[:2], "no_face/coffee.png"]]

    response = images_api.aigc_images_check(urls, "", None)

    assert response.code == "OK", response.message
    assert [r["code"] for r in response.data["check_results"]] == [1, 1, 3]
    assert ("check", "succeeded") in engine_studio.jobs()


def test_training_through_the_front_trains_on_the_engine_studio(trained, engine_studio):
    model_id, job = trained

    assert job["state"] == 2, job["message"]
    assert model_id in job["Result"]
    assert ("train", "succeeded") in engine_studio.jobs()


def test_remote_ids_never_reach_the_customer(trained, engine_studio):
    model_id, job = trained
    remote_ids = [row[0] for row in engine_studio.query("select model_id from portraits_avatar")]
    assert remote_ids and model_id not in remote_ids
    assert not any(remote_id.replace("-", "") in job["Result"].replace("-", "") for remote_id in remote_ids)


def test_solo_create_through_the_front_returns_the_engine_studios_portrait(sdk, trained, photo_server, engine_studio):
    images_api, _ = sdk
    model_id, _ = trained

    response = images_api.aigc_images_create(model_id, f"{photo_server}/{SOLO_TEMPLATE}", "", None)

    assert response.code == "OK", response.message
    image = Image.open(io.BytesIO(base64.b64decode(response.data["image"])))
    assert min(image.size) >= 256
    assert ("create", "succeeded") in engine_studio.jobs()


def test_multi_person_create_through_the_front_uses_both_avatars_on_the_engine_studio(sdk, trained, photo_server,
                                                                                      engine_studio):
    images_api, jobs_api = sdk
    first, _ = trained
    response = images_api.aigc_images_train([f"{photo_server}/{p}" for p in SIMM], "", None)
    assert response.code == "OK", response.message
    job = wait_for(lambda: (lambda j: j if j["state"] in (2, 3) else None)(
        jobs_api.get_async_job(response.data["job_id"]).data["job"]), timeout=300, what="the second training")
    assert job["state"] == 2, job["message"]

    made = images_api.aigc_images_create_by_multi_model_ids([first, response.data["model_id"]],
                                                             f"{photo_server}/{PAIR_TEMPLATE}", "", None)

    assert made.code == "OK", made.message
    assert Image.open(io.BytesIO(base64.b64decode(made.data["image"]))).size[0] > 0
    assert engine_studio.jobs().count(("create", "succeeded")) >= 2


def test_train_free_create_through_the_front_sends_the_reference_photo(sdk, photo_server, engine_studio):
    images_api, _ = sdk
    before = engine_studio.jobs().count(("create", "succeeded"))
    configure = {"ipa_control_only": True, "ipa_image_path": f"{photo_server}/{OBAMA[0]}"}

    made = images_api.aigc_images_create("", f"{photo_server}/{SOLO_TEMPLATE}", "", configure)

    assert made.code == "OK", made.message
    assert Image.open(io.BytesIO(base64.b64decode(made.data["image"]))).size[0] > 0
    assert engine_studio.jobs().count(("create", "succeeded")) == before + 1


def test_a_refusal_of_the_engine_studio_reaches_the_customer_in_pai_words(sdk, photo_server):
    images_api, _ = sdk
    configure = {"ipa_control_only": True, "ipa_image_path": f"{photo_server}/{OBAMA[0]}"}

    made = images_api.aigc_images_create("", f"{photo_server}/no_face/coffee.png", "", configure)

    assert made.code == "error"
    assert "face" in made.message.lower()
