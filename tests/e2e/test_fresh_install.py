"""A fresh install as the outside check makes it: a new SQLite database made by `manage.py migrate`
alone (no seed_catalog, no template pack), runserver and a django-q2 cluster as processes, and the
`dashscope` SDK asking for each of DashScope's ten preset styles: every one returns an image."""
from __future__ import annotations

import io
import json
import os
from http import HTTPStatus
from pathlib import Path

import dashscope
import httpx
import pytest
from dashscope.aigc.image_synthesis import ImageSynthesis
from dashscope.client.base_api import BaseAsyncApi
from dashscope.finetune.finetunes import FineTunes
from PIL import Image

from tests.e2e.conftest import wait_for
from tests.processes import free_port, manage, processes_stop, studio_answers, studio_start

pytestmark = pytest.mark.slow

TEMPLATE_PRESETS = ["f_business_male", "f_business_female", "m_springflower_female", "f_summersport_female",
                    "f_autumnleaf_female", "m_winterchinese_female", "f_hongkongvintage_female", "f_lightportray_female"]
ID_PRESETS = ["f_idcard_male", "f_idcard_female"]
PHOTOS = [f"faces/obama/{i}.jpg" for i in (1, 2, 4)]
ID_PHOTO = "faces/mark_zuckerberg/2.jpg"


@pytest.fixture(scope="module")
def fresh_studio(tmp_path_factory) -> tuple[str, str]:
    """(base URL, API key) of a studio whose database only `migrate` has touched."""
    var = tmp_path_factory.mktemp("fresh")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "STUDIO_CACHE_URL")}
    env.update(DEBUG="1", STUDIO_VAR_DIR=str(var), STUDIO_ALLOW_PRIVATE_URLS="1", PYTHONUNBUFFERED="1")
    manage(env, "migrate", "--noinput")
    api_key = json.loads(manage(env, "apikeys", "create", "--email", "fresh@example.com", "--json"))["api_key"]
    port = free_port()
    logs = Path(var) / "processes.log"
    with logs.open("w") as log:
        children = studio_start(env, port=port, log=log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: studio_answers(base), timeout=60, what="runserver")
            yield base, api_key
        finally:
            processes_stop(children)


@pytest.fixture
def sdk(fresh_studio, monkeypatch) -> None:
    base, api_key = fresh_studio
    monkeypatch.setattr(dashscope, "base_http_api_url", base + "/api/v1")
    monkeypatch.setattr(dashscope, "api_key", api_key)


def _generate(style: str, **fields):
    submitted = BaseAsyncApi.async_call(model="facechain-generation", task_group="aigc", task="album",
                                        function="gen_potrait", style=style, size="768*1024", n=1, **fields)
    assert submitted.status_code == HTTPStatus.OK, submitted
    return ImageSynthesis.wait(submitted.output["task_id"])


def _image(result) -> Image.Image:
    assert result.output.task_status == "SUCCEEDED", result
    [item] = result.output.results
    response = httpx.get(item.url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content))


def test_every_dashscope_preset_returns_an_image_on_a_database_made_by_migrate_alone(sdk, photo_server):
    tuned = FineTunes.call(model="facechain-finetune", training_file_ids=[f"{photo_server}/{p}" for p in PHOTOS])
    assert tuned.status_code == HTTPStatus.OK, tuned
    state = wait_for(lambda: (lambda s: s if s.output.status in ("SUCCEEDED", "FAILED") else None)(
        FineTunes.get(tuned.output.job_id)), timeout=180, what="the fine-tune")
    assert state.output.status == "SUCCEEDED", state
    resources = [{"resource_id": state.output.finetuned_output, "resource_type": "facelora"}]

    for style in TEMPLATE_PRESETS:
        result = _generate(style, resources=resources, input={})
        assert min(_image(result).size) >= 1024, style
        assert result.output["made_with"] == "headshot", style  # no pack: made by its stand-in, and said so
    for style in ID_PRESETS:
        result = _generate(style, input={"user_urls": [f"{photo_server}/{ID_PHOTO}"]})
        assert _image(result).height > 0, style
