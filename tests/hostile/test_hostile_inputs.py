"""Every door that takes an image, tried with the hostile corpus and hostile URLs.

For each API family (PAI, DashScope, native, website) and each of its image inputs: a refused
file or URL gets that API's documented error, never a 5xx, within the fetch timeout, and leaves
nothing behind (no photo, no job, no file). Real images in odd shapes are taken like any photo.
"""
from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.conf import Conf

from accounts.services import apikey_create, credential_create, user_get_or_create
from jobs.models import Job
from studio.api.pai_auth import pai_signature
from studio.catalog.models import Template
from studio.portraits.models import Photo
from tests.hostile.conftest import FETCH_TIMEOUT, HOSTILE_URLS, MARGIN, SLOW_URLS, stored_inputs
from tests.hostile.corpus import ACCEPTED, REFUSED
from tests.native.conftest import ASTRONAUT

DS_IMAGE_CODES = {"InvalidURL", "InvalidImageFormat", "InvalidImageResolution"}
NATIVE = "/api/studio/v1"
_unique = itertools.count()


@dataclass
class Caller:
    """One account, reachable through every API family."""

    web: Client
    pai_app_id: str
    pai_token: str
    dashscope_key: str
    native: Client
    template_id: int
    good_url: str

    def pai(self, path: str, body: dict) -> tuple[int, dict]:
        # Trailing spaces make each body (and so each signature) unique: the studio refuses a replay.
        raw = (json.dumps(body) + " " * next(_unique)).encode()
        signature = pai_signature(token=self.pai_token, method="POST", path=path, body=raw)
        response = self.web.post(path, data=raw, content_type="application/json",
                                 headers={"Authorization": f"{self.pai_app_id}:{signature}"})
        return response.status_code, response.json()

    def ds(self, path: str, body: dict) -> tuple[int, dict]:
        response = self.web.post(path, data=body, content_type="application/json",
                                 headers={"Authorization": f"Bearer {self.dashscope_key}", "X-DashScope-Async": "enable"})
        return response.status_code, response.json()


@pytest.fixture
def caller(db, client, hostile_settings, hostile_server, monkeypatch) -> Caller:
    # Synchronous django-q2: PAI's check and create and DashScope's photo check wait for their job.
    monkeypatch.setattr(Conf, "SYNC", True)
    user = user_get_or_create(email="hostile@example.com")[0]
    client.force_login(user)
    credential = credential_create(owner=user)
    template = Template(owner=user, title="mine")
    template.image.save("template.jpg", ContentFile(ASTRONAUT))
    native = Client(headers={"Authorization": f"Bearer {apikey_create(owner=user).raw}"})
    return Caller(web=client, pai_app_id=credential.app_id, pai_token=credential.token,
                  dashscope_key=apikey_create(owner=user).raw, native=native, template_id=template.id,
                  good_url=f"{hostile_server}/files/progressive.jpg")


# --- the doors that take a URL -------------------------------------------------------------------

def pai_check(caller: Caller, url: str) -> None:
    status, answer = caller.pai("/api/v1/aigc_images/check", {"action": "AIGCImageCheck", "images": [url]})
    assert status == 200 and answer["code"] == "error", answer
    assert answer["message"] == "all images are invalid"
    assert answer["data"]["check_results"][0]["code"] == 2  # "Image decode error."


def pai_train(caller: Caller, url: str) -> None:
    status, answer = caller.pai("/api/v1/aigc_images/train", {"action": "AIGCImageTrain", "images": [url]})
    assert status == 200 and answer["code"] == "error", answer
    assert answer["message"].startswith(("Image decode error. Image 1:", "Image 1 could not be fetched:"))


def pai_create_template(caller: Caller, url: str) -> None:
    status, answer = caller.pai("/api/v1/aigc_images/create", {
        "action": "AIGCImageCreate", "model_id": "", "template_image": url,
        "configure": {"ipa_control_only": True, "ipa_image_path": caller.good_url}})
    assert status == 200 and answer["code"] == "error", answer
    assert answer["message"].startswith(("Template image decode error.", "The template image could not be fetched:"))


def pai_create_reference(caller: Caller, url: str) -> None:
    status, answer = caller.pai("/api/v1/aigc_images/create", {
        "action": "AIGCImageCreate", "model_id": "", "template_image": caller.good_url,
        "configure": {"ipa_control_only": True, "ipa_image_path": url}})
    assert status == 200 and answer["code"] == "error", answer
    assert answer["message"].startswith(("Image decode error. The ipa_image_path photo:",
                                         "The ipa_image_path photo could not be fetched:"))


def _ds_refused(status: int, answer: dict) -> None:
    assert status == 400 and answer["code"] in DS_IMAGE_CODES, answer
    assert len(answer["message"]) < 1000


def ds_gen_template(caller: Caller, url: str) -> None:
    _ds_refused(*caller.ds("/api/v1/services/aigc/album/gen_potrait", {
        "model": "facechain-generation", "parameters": {"style": "train_free_portrait_url_template", "n": 1},
        "input": {"template_url": url, "user_urls": [caller.good_url]}}))


def ds_gen_user(caller: Caller, url: str) -> None:
    _ds_refused(*caller.ds("/api/v1/services/aigc/album/gen_potrait", {
        "model": "facechain-generation", "parameters": {"style": "train_free_portrait_url_template", "n": 1},
        "input": {"template_url": caller.good_url, "user_urls": [url]}}))


def ds_repaint(caller: Caller, url: str) -> None:
    _ds_refused(*caller.ds("/api/v1/services/aigc/image-generation/generation", {
        "model": "wanx-style-repaint-v1", "input": {"image_url": url, "style_index": 0}}))


def ds_fine_tune(caller: Caller, url: str) -> None:
    _ds_refused(*caller.ds("/api/v1/fine-tunes", {"model": "facechain-finetune", "training_file_ids": [url]}))


def ds_facedetect(caller: Caller, url: str) -> None:
    status, answer = caller.ds("/api/v1/services/vision/facedetection/detect",
                               {"model": "facechain-facedetect", "input": {"images": [url]}})
    assert status == 200, answer
    assert answer["output"]["is_face"] == [False] and answer["output"]["failed_reason"][0]


def native_check_url(caller: Caller, url: str) -> None:
    response = caller.native.post(f"{NATIVE}/photo-checks/", {"urls": [url]}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] in ("url_fetch_failed", "invalid_image")


def native_idphoto_url(caller: Caller, url: str) -> None:
    response = caller.native.post(f"{NATIVE}/idphotos/", {"photo_url": url}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] in ("url_fetch_failed", "invalid_image")


URL_DOORS: dict[str, Callable[[Caller, str], None]] = {
    "pai-check": pai_check, "pai-train": pai_train, "pai-create-template": pai_create_template,
    "pai-create-reference": pai_create_reference, "dashscope-gen-template": ds_gen_template,
    "dashscope-gen-user": ds_gen_user, "dashscope-repaint": ds_repaint, "dashscope-fine-tune": ds_fine_tune,
    "dashscope-facedetect": ds_facedetect, "native-check-url": native_check_url,
    "native-idphoto-url": native_idphoto_url,
}
# One door per API family for the URLs that take the whole timeout.
SLOW_DOORS = ("pai-check", "dashscope-repaint", "native-check-url")


# --- the doors that take an upload ---------------------------------------------------------------

def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def native_check_upload(caller: Caller, name: str, content: bytes) -> None:
    response = caller.native.post(f"{NATIVE}/photo-checks/", {"photos": [_file(name, content)]})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["photos"]


def native_stylize_upload(caller: Caller, name: str, content: bytes) -> None:
    response = caller.native.post(f"{NATIVE}/stylizations/", {"image": _file(name, content), "style_index": 0})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["image"]


def native_template_upload(caller: Caller, name: str, content: bytes) -> None:
    response = caller.native.post(f"{NATIVE}/templates/", {"image": _file(name, content)})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["image"]


def web_photo_upload(caller: Caller, name: str, content: bytes) -> None:
    response = caller.web.post("/photos/upload/", {"photo": _file(name, content)})
    assert response.status_code == 400, response.content
    assert response.json()["error"]


def web_template_upload(caller: Caller, name: str, content: bytes) -> None:
    response = caller.web.post("/templates/", {"image": _file(name, content), "title": "hostile"})
    assert response.status_code == 200  # the form again, with the reason
    assert response.context["upload_form"].errors["image"]


def web_train_free(caller: Caller, name: str, content: bytes) -> None:
    response = caller.web.post("/create/train-free/", {"template": caller.template_id, "n": 1,
                                                       "photos": [_file(name, content)]}, follow=True)
    assert response.status_code == 200
    assert [message.level_tag for message in response.context["messages"]] == ["error"]


UPLOAD_DOORS: dict[str, Callable[[Caller, str, bytes], None]] = {
    "native-check-upload": native_check_upload, "native-stylize-upload": native_stylize_upload,
    "native-template-upload": native_template_upload, "web-photo-upload": web_photo_upload,
    "web-template-upload": web_template_upload, "web-train-free": web_train_free,
}


def _nothing_kept(before: list[str]) -> None:
    assert Photo.objects.count() == 0
    assert Job.objects.count() == 0
    assert Template.objects.count() == 1  # the caller's own
    assert stored_inputs() == before


def _refused_in_time(door: Callable[[], None]) -> None:
    before = stored_inputs()
    started = time.monotonic()
    door()
    assert time.monotonic() - started < FETCH_TIMEOUT + MARGIN
    _nothing_kept(before)


@pytest.mark.parametrize("specimen", REFUSED, ids=lambda specimen: specimen.name)
@pytest.mark.parametrize("door", URL_DOORS)
def test_url_door_refuses_hostile_file_and_keeps_nothing(caller, hostile_server, door, specimen):
    _refused_in_time(lambda: URL_DOORS[door](caller, f"{hostile_server}/files/{specimen.name}"))


@pytest.mark.parametrize("route", [route for route in HOSTILE_URLS if route not in SLOW_URLS])
@pytest.mark.parametrize("door", URL_DOORS)
def test_url_door_refuses_hostile_url_and_keeps_nothing(caller, hostile_server, door, route):
    _refused_in_time(lambda: URL_DOORS[door](caller, f"{hostile_server}{route}"))


@pytest.mark.slow
@pytest.mark.parametrize("route", SLOW_URLS)
@pytest.mark.parametrize("door", SLOW_DOORS)
def test_url_door_gives_up_on_slow_url_within_the_timeout(caller, hostile_server, door, route):
    _refused_in_time(lambda: URL_DOORS[door](caller, f"{hostile_server}{route}"))


@pytest.mark.parametrize("specimen", REFUSED, ids=lambda specimen: specimen.name)
@pytest.mark.parametrize("door", UPLOAD_DOORS)
def test_upload_door_refuses_hostile_file_and_keeps_nothing(caller, corpus_bytes, door, specimen):
    _refused_in_time(lambda: UPLOAD_DOORS[door](caller, specimen.name, corpus_bytes[specimen.name]))


@pytest.mark.parametrize("specimen", ["png-header-bomb.png", "truncated.jpg", "image.svg"])
@pytest.mark.parametrize("door", ["pai-check", "dashscope-repaint", "native-check-url"])
def test_data_url_of_hostile_file_is_refused_like_a_download(caller, corpus_bytes, door, specimen):
    url = "data:image/png;base64," + base64.b64encode(corpus_bytes[specimen]).decode()
    _refused_in_time(lambda: URL_DOORS[door](caller, url))


def test_dashscope_message_names_a_data_url_without_its_payload(caller, corpus_bytes):
    payload = base64.b64encode(corpus_bytes["strip-wide.png"] * 300).decode()  # ~1 MB of base64
    status, answer = caller.ds("/api/v1/services/aigc/image-generation/generation", {
        "model": "wanx-style-repaint-v1", "input": {"image_url": f"data:image/png;base64,{payload}", "style_index": 0}})
    assert status == 400
    assert payload[:200] not in answer["message"] and len(answer["message"]) < 400


# --- real images in odd shapes -------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the check job runs when the submit commits
@pytest.mark.parametrize("specimen", ACCEPTED, ids=lambda specimen: specimen.name)
def test_pai_check_decodes_odd_but_real_image(caller, hostile_server, specimen):
    status, answer = caller.pai("/api/v1/aigc_images/check", {"action": "AIGCImageCheck",
                                                              "images": [f"{hostile_server}/files/{specimen.name}"]})
    assert status == 200
    assert answer["data"]["check_results"][0]["code"] != 2, answer


@pytest.mark.parametrize("specimen", ACCEPTED, ids=lambda specimen: specimen.name)
def test_website_takes_odd_but_real_image(caller, corpus_bytes, specimen):
    response = caller.web.post("/photos/upload/", {"photo": _file(specimen.name, corpus_bytes[specimen.name])})
    assert response.status_code == 201, response.content
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (512, 512)
