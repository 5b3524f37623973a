"""Bad input to the PAI API: a clear error in the SDKs' envelope, nothing kept, nothing charged."""
from __future__ import annotations

import base64
import json

import pytest

from accounts.services import user_get_or_create
from jobs.models import Job, JobKind
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus, Photo
from tests.api.conftest import ASTRONAUT

CHECK = "/api/v1/aigc_images/check"
TRAIN = "/api/v1/aigc_images/train"
CREATE = "/api/v1/aigc_images/create"


def body(action: str, **fields) -> str:
    return json.dumps({"action": action, **fields})


@pytest.fixture
def private_urls_allowed(settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True


@pytest.mark.django_db
def test_check_of_private_address_is_refused_per_image(pai, image_server):
    answer = pai(CHECK, body("AIGCImageCheck", images=[f"{image_server}/astronaut.jpg"]))

    assert (answer["code"], answer["message"]) == ("error", "all images are invalid")
    result = answer["data"]["check_results"][0]
    assert (result["code"], result["message"]) == (2, "Image decode error.")
    assert "private" in result["reasons"][0]
    assert Photo.objects.count() == 0 and Job.objects.count() == 0


@pytest.mark.django_db
def test_train_with_private_address_is_refused_before_any_job(pai, image_server):
    answer = pai(TRAIN, body("AIGCImageTrain", images=[f"{image_server}/astronaut.jpg"]))

    assert answer["code"] == "error"
    assert answer["message"].startswith("Image 1 could not be fetched")
    assert Avatar.objects.count() == 0 and Job.objects.count() == 0 and Photo.objects.count() == 0


@pytest.mark.django_db
def test_train_with_oversized_download_is_refused(pai, image_server, private_urls_allowed, settings):
    settings.STUDIO_FETCH_MAX_BYTES = 4096

    answer = pai(TRAIN, body("AIGCImageTrain", images=[f"{image_server}/astronaut.jpg"]))

    assert answer["code"] == "error" and "Image 1 could not be fetched" in answer["message"]
    assert "large" in answer["message"] or "bytes" in answer["message"]
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_train_with_non_image_download_is_refused(pai, image_server, private_urls_allowed):
    answer = pai(TRAIN, body("AIGCImageTrain", images=[f"{image_server}/page.html"]))

    assert answer["code"] == "error" and "Image 1 could not be fetched" in answer["message"]
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_train_with_missing_image_is_refused(pai, image_server, private_urls_allowed):
    answer = pai(TRAIN, body("AIGCImageTrain", images=[f"{image_server}/missing.jpg"]))

    assert answer["code"] == "error" and "404" in answer["message"]


@pytest.mark.django_db(transaction=True)
def test_check_of_truncated_download_is_decode_error(pai, image_server, private_urls_allowed, sync_queue):
    answer = pai(CHECK, body("AIGCImageCheck", images=[f"{image_server}/astronaut.jpg",
                                                       f"{image_server}/truncated.jpg"]))

    assert answer["code"] == "OK"
    assert [r["code"] for r in answer["data"]["check_results"]] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_check_of_data_url_photo_passes_and_keeps_no_copy_of_the_url(pai, sync_queue):
    url = "data:image/jpeg;base64," + base64.b64encode(ASTRONAUT).decode()

    answer = pai(CHECK, body("AIGCImageCheck", images=[url]))

    assert answer["code"] == "OK"
    assert answer["data"]["check_results"][0]["code"] == 1
    assert Photo.objects.get().source_url == ""


@pytest.mark.django_db(transaction=True)
def test_check_job_runs_once_on_the_queue(pai, image_server, private_urls_allowed, sync_queue):
    pai(CHECK, body("AIGCImageCheck", images=[f"{image_server}/astronaut.jpg"]))

    job = Job.objects.get()
    assert (job.kind, job.state, job.attempts, job.source) == (JobKind.CHECK, "succeeded", 1, "pai")


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        json.dumps({"action": "AIGCImageTrain", "images": ["http://x/1.jpg"]}),  # wrong action for check
        json.dumps({"action": "AIGCImageCheck", "images": "http://x/1.jpg"}),
        json.dumps({"action": "AIGCImageCheck", "images": []}),
        json.dumps({"action": "AIGCImageCheck"}),
        json.dumps({"action": "AIGCImageCheck", "images": [1, 2]}),
        json.dumps({"action": "AIGCImageCheck", "images": ["http://x/1.jpg"], "configure": "yes"}),
        json.dumps(["AIGCImageCheck"]),
    ],
)
@pytest.mark.django_db
def test_malformed_check_body_is_invalid_input(pai, raw):
    answer = pai(CHECK, raw)

    assert answer["code"] == "error"
    assert answer["message"].startswith("Invalid input data. Please check the input dict.")


@pytest.mark.django_db
def test_train_with_too_many_images_is_refused(pai, settings):
    images = [f"http://x/{i}.jpg" for i in range(settings.STUDIO_TRAIN_MAX_PHOTOS + 1)]

    answer = pai(TRAIN, body("AIGCImageTrain", images=images))

    assert answer["code"] == "error" and f"At most {settings.STUDIO_TRAIN_MAX_PHOTOS}" in answer["message"]


@pytest.mark.django_db
def test_create_without_template_is_image_not_provided(pai):
    answer = pai(CREATE, body("AIGCImageCreate", model_id="x", model_ids=None))

    assert answer["message"] == "Image not provided. Please check the template_image."


@pytest.mark.django_db
def test_create_without_model_id_is_prompts_error(pai):
    answer = pai(CREATE, body("AIGCImageCreate", model_id="", model_ids=None, template_image="http://x/t.jpg"))

    assert answer["message"] == "Prompts get error. Please check the model_id."


@pytest.mark.parametrize("model_id", ["not-a-uuid", "8b0f6a1e-58a6-4f8e-9d55-3d2a52f0c0aa"])
@pytest.mark.django_db
def test_create_with_unknown_model_id_is_model_not_found(pai, model_id):
    answer = pai(CREATE, body("AIGCImageCreate", model_id=model_id, model_ids=None, template_image="http://x/t.jpg"))

    assert (answer["code"], answer["message"]) == ("error", "model not found")


@pytest.mark.django_db
def test_create_with_another_accounts_model_is_model_not_found(pai):
    stranger = user_get_or_create(email="stranger@example.com")[0]
    avatar = Avatar.objects.create(owner=stranger, status=AvatarStatus.READY)

    answer = pai(CREATE, body("AIGCImageCreate", model_id=str(avatar.model_id), template_image="http://x/t.jpg"))

    assert answer["message"] == "model not found"


@pytest.mark.django_db
def test_create_with_avatar_still_training_says_so(pai, partner):
    avatar = Avatar.objects.create(owner=partner.credential.owner)

    answer = pai(CREATE, body("AIGCImageCreate", model_id=str(avatar.model_id), template_image="http://x/t.jpg"))

    assert answer["code"] == "error" and "not ready" in answer["message"]


@pytest.mark.django_db
def test_create_with_unknown_option_value_is_refused(pai, partner):
    avatar = Avatar.objects.create(owner=partner.credential.owner, status=AvatarStatus.READY)

    answer = pai(CREATE, body("AIGCImageCreate", model_id=str(avatar.model_id), template_image="http://x/t.jpg",
                              configure={"lora_weights": "heavy"}))

    assert answer["code"] == "error" and "lora_weights" in answer["message"]


@pytest.mark.django_db
def test_text_to_image_template_explains_the_engine_needed(pai, partner):
    avatar = Avatar.objects.create(owner=partner.credential.owner, status=AvatarStatus.READY)

    answer = pai(CREATE, body("AIGCImageCreate", model_id=str(avatar.model_id), template_image="t2i_generate",
                              configure={"t2i_prompt": "a portrait"}))

    assert answer["code"] == "error" and "diffusion engine" in answer["message"]


@pytest.mark.django_db
def test_job_query_of_another_accounts_job_is_not_found(pai):
    stranger = user_get_or_create(email="stranger@example.com")[0]
    job = Job.objects.create(owner=stranger, kind=JobKind.CHECK)

    answer = pai(f"/api/v1/async_jobs/{job.id}", b"")

    assert (answer["code"], answer["message"]) == ("error", "job not found")


@pytest.mark.django_db
def test_job_query_reports_state_and_result_string(pai, partner):
    owner = partner.credential.owner
    avatar = Avatar.objects.create(owner=owner)
    job = Job.objects.create(owner=owner, kind=JobKind.TRAIN, app_id=partner.app_id,
                             state="succeeded", cost_time=1.5, result={"states": [
                                 {"url": "u", "code": 1, "message": "success", "frontal": True}]})
    AvatarJob.objects.create(job=job, avatar=avatar)

    answer = pai(f"/api/v1/async_jobs/{job.id}", b"{}")

    document = answer["data"]["job"]
    assert (document["id"], document["app_id"], document["state"]) == (job.id, partner.app_id, 2)
    result = json.loads(document["Result"])
    assert result == {"cost_time": 1.5, "model_id": str(avatar.model_id),
                      "states": [{"url": "u", "message": "success", "code": 1, "frontal": True, "reasons": []}]}


@pytest.mark.django_db
def test_sd_generation_explains_the_engine_needed(pai):
    answer = pai("/api/v1/aigc_images/sd", body("AIGCImageSD", model_name="", configure={"task": "outpaint"}))

    assert answer["code"] == "error" and "diffusion engine" in answer["message"]


@pytest.mark.django_db
def test_train_free_without_ipa_image_path_is_refused(pai):
    answer = pai(CREATE, body("AIGCImageCreate", model_id="", model_ids=None, template_image="http://x/t.jpg",
                              configure={"ipa_control_only": True}))

    assert answer["code"] == "error" and "ipa_image_path" in answer["message"]
