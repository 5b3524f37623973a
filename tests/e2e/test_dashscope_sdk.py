"""The `dashscope` SDK (1.27.8), unchanged, against a live studio with a real django-q2 worker and
real photos from ../shared/data: train with FineTunes, generate and stylize through the SDK's
generic async task calls, wait to SUCCEEDED and download the signed result URLs."""
from __future__ import annotations

import io
import json
import shutil
from datetime import timedelta
from http import HTTPStatus

import dashscope
import httpx
import pytest
from dashscope.aigc.image_synthesis import ImageSynthesis
from dashscope.client.base_api import BaseApi, BaseAsyncApi
from dashscope.finetune.finetunes import FineTunes
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from accounts.services import apikey_create, user_get_or_create
from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OBAMA = [f"faces/obama/{i}.jpg" for i in (1, 2, 4)]  # 3.jpg is over DashScope's 2048 px
TEMPLATE = "templates/easyphoto/1.jpg"
PACK_STYLES = {"f_business_female": {}, "f_idcard_female": {"kind": "idphoto",
                                                            "parameters": {"size": "1inch", "background": "blue"}}}


@pytest.fixture
def studio(live_server, settings, module_worker, monkeypatch):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the photo server is on loopback
    monkeypatch.setattr(dashscope, "base_http_api_url", live_server.url + "/api/v1")
    monkeypatch.setattr(dashscope, "api_key", apikey_create(owner=user_get_or_create(email="p@example.com")[0]).raw)
    return live_server.url


@pytest.fixture
def pack(tmp_path, shared_data):
    """Two styles of the pack format, from ../shared/data/templates/styles.json."""
    groups = json.loads((shared_data / "templates" / "styles.json").read_text())
    for key, extra in PACK_STYLES.items():
        folder = tmp_path / "pack" / key
        folder.mkdir(parents=True)
        (folder / "style.json").write_text(json.dumps({"title": key, "gender": "female", **extra}))
        for name in groups[key]["templates"]:
            shutil.copy(shared_data / "templates" / name, folder)
    call_command("import_templates", str(tmp_path / "pack"), stdout=io.StringIO())


def urls(photo_server: str, paths: list[str]) -> list[str]:
    return [f"{photo_server}/{path}" for path in paths]


def trained(photo_server: str) -> str:
    """A fine-tune through the SDK, polled with FineTunes.get; returns its resource id."""
    job = FineTunes.call(model="facechain-finetune", training_file_ids=urls(photo_server, OBAMA))
    assert job.status_code == HTTPStatus.OK, job
    assert "finetuned_output" not in job.output  # only once the training succeeded
    job_id = job.output.job_id

    def finished():
        state = FineTunes.get(job_id)
        return state if state.output.status in ("SUCCEEDED", "FAILED", "CANCELED") else None

    state = wait_for(finished, timeout=120, what=f"fine-tune {job_id}")
    assert state.output.status == "SUCCEEDED", state
    return state.output.finetuned_output


def generate(style: str, *, resource_id: str | None = None, n: int = 1, draft: bool | None = None, **given):
    extra = {} if draft is None else {"draft": draft}  # ID photos: made although they would not pass
    submitted = BaseAsyncApi.async_call(
        model="facechain-generation", input=given, task_group="aigc", task="album", function="gen_potrait",
        resources=[{"resource_id": resource_id, "resource_type": "facelora"}] if resource_id else None,
        style=style, size="768*1024", n=n, **extra,
    )
    assert submitted.status_code == HTTPStatus.OK, submitted
    assert submitted.output["task_status"] == "PENDING"
    return ImageSynthesis.wait(submitted.output["task_id"])


def repaint(**given):
    submitted = BaseAsyncApi.async_call(model="wanx-style-repaint-v1", input=given, task_group="aigc",
                                        task="image-generation", function="generation")
    assert submitted.status_code == HTTPStatus.OK, submitted
    return ImageSynthesis.wait(submitted)


def jpegs(result) -> list[Image.Image]:
    assert result.status_code == HTTPStatus.OK, result
    assert result.output.task_status == "SUCCEEDED", result
    images = []
    for item in result.output.results:
        response = httpx.get(item.url)
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "JPEG"
        images.append(image)
    assert result.usage.image_count == len(images) > 0
    return images


def test_sdk_custom_template_portrait_from_a_fine_tune(studio, photo_server, shared_data):
    resource_id = trained(photo_server)

    result = generate("portrait_url_template", resource_id=resource_id, template_url=f"{photo_server}/{TEMPLATE}")

    [image] = jpegs(result)
    with Image.open(shared_data / TEMPLATE) as template:
        assert image.size == template.size


def test_sdk_preset_styles_from_a_fine_tune(studio, photo_server, pack):
    resource_id = trained(photo_server)

    made = generate("f_business_female", resource_id=resource_id, n=2)
    business = jpegs(made)
    result = generate("f_idcard_female", resource_id=resource_id, draft=True)
    idphoto = jpegs(result)

    assert len(business) == 2 and made.output["made_with"] == "templates"
    assert len(idphoto) == 1 and idphoto[0].height > idphoto[0].width
    # obama 1 smiles open-mouthed, 2 and 4 are turned: the draft is marked, its report kept by the SDK
    assert result.output.results[0]["compliance"]["compliant"] is False


def test_sdk_id_photo_preset_refuses_an_avatar_without_a_compliant_photo(studio, photo_server, pack):
    resource_id = trained(photo_server)

    result = generate("f_idcard_female", resource_id=resource_id, n=3)

    assert result.output.task_status == "FAILED"
    assert "would pass as an ID photo" in result.output.message
    assert result.output.task_metrics == {"TOTAL": 3, "SUCCEEDED": 0, "FAILED": 3}


def test_sdk_id_photo_preset_from_one_photo_without_a_fine_tune(studio, photo_server, pack):
    result = generate("f_idcard_female", user_urls=urls(photo_server, ["faces/mark_zuckerberg/2.jpg"]))

    [image] = jpegs(result)
    assert image.height > image.width and result.output.results[0]["compliance"]["compliant"] is True


def test_sdk_train_free_portrait(studio, photo_server):
    result = generate("train_free_portrait_url_template", template_url=f"{photo_server}/{TEMPLATE}",
                      user_urls=urls(photo_server, OBAMA[:2]))

    assert len(jpegs(result)) == 1


def test_sdk_stylize_with_a_preset_and_with_a_reference(studio, photo_server):
    photo = f"{photo_server}/{OBAMA[0]}"

    preset = jpegs(repaint(image_url=photo, style_index=3))
    referenced = jpegs(repaint(image_url=photo, style_index=-1, style_ref_url=f"{photo_server}/{TEMPLATE}"))

    assert len(preset) == len(referenced) == 1


def test_sdk_facedetect_answers_per_image(studio, photo_server):
    answer = BaseApi.call(model="facechain-facedetect", input={"images": urls(photo_server, [OBAMA[0], "no_face/dogs.jpg"])},
                          task_group="vision", task="facedetection", function="detect")

    assert answer.status_code == HTTPStatus.OK, answer
    assert answer.output["is_face"] == [True, False]
    assert answer.output["failed_reason"][0] == "" and answer.output["failed_reason"][1]


def test_sdk_lists_and_fetches_its_tasks(studio, photo_server):
    done = repaint(image_url=f"{photo_server}/{OBAMA[0]}", style_index=0)

    listed = BaseAsyncApi.list(page_size=5)
    fetched = ImageSynthesis.fetch(done.output.task_id)

    assert listed.status_code == HTTPStatus.OK and listed.output["total"] == 1
    [item] = listed.output["data"]
    assert (item["task_id"], item["task_status"]) == (done.output.task_id, "SUCCEEDED")
    assert item["start_time"] <= item["end_time"]
    assert fetched.output.task_status == "SUCCEEDED"


def test_sdk_task_list_honours_start_and_end_time(studio, photo_server):
    done = repaint(image_url=f"{photo_server}/{OBAMA[0]}", style_index=0)
    now = timezone.localtime()
    hour = timedelta(hours=1)

    around = ImageSynthesis.list(start_time=(now - hour).strftime("%Y%m%d%H%M%S"),
                                 end_time=(now + hour).strftime("%Y%m%d%H%M%S"))
    later = ImageSynthesis.list(start_time=(now + hour).strftime("%Y%m%d%H%M%S"))
    earlier = ImageSynthesis.list(end_time=(now - hour).strftime("%Y%m%d%H%M%S"))

    assert [item["task_id"] for item in around.output["data"]] == [done.output.task_id]
    assert later.output["total"] == earlier.output["total"] == 0


def test_sdk_wrong_key_gets_invalid_api_key(studio):
    answer = BaseAsyncApi.async_call(model="wanx-style-repaint-v1", input={"style_index": 0}, task_group="aigc",
                                     task="image-generation", function="generation", api_key="sk-wrong")

    assert (answer.status_code, answer.code) == (401, "InvalidApiKey")


def test_sdk_submission_while_the_broker_is_down_gets_a_retryable_internal_error(studio, photo_server, broker_down):
    answer = BaseAsyncApi.async_call(model="wanx-style-repaint-v1", task_group="aigc", task="image-generation",
                                     function="generation",
                                     input={"image_url": f"{photo_server}/{OBAMA[0]}", "style_index": 0})

    assert (answer.status_code, answer.code) == (HTTPStatus.SERVICE_UNAVAILABLE, "InternalError")
    assert "try again" in answer.message


def test_sdk_wait_on_someone_elses_task_ends_unknown(studio, photo_server):
    done = repaint(image_url=f"{photo_server}/{OBAMA[0]}", style_index=0)
    stranger = apikey_create(owner=user_get_or_create(email="stranger@example.com")[0]).raw

    answer = ImageSynthesis.wait(done.output.task_id, api_key=stranger)

    assert answer.status_code == HTTPStatus.OK and answer.output.task_status == "UNKNOWN"
