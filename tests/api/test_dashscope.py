"""The DashScope-compatible API through Django's test client: DashScope's error codes and HTTP
statuses, task ids scoped to their account, paging, cancel, and the per-account limits."""
from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from accounts.services import apikey_create, apikey_revoke, user_get_or_create
from billing.models import Account
from jobs.models import Job, JobKind, JobState
from studio.api.dashscope_wire import task_id_for
from studio.catalog.models import Style, StyleKind
from studio.lib.sync_wait import sync_wait_slot
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus, Photo
from tests.api.conftest import ASTRONAUT
from tests.file_server import file_server

GEN = "/api/v1/services/aigc/album/gen_potrait"
REPAINT = "/api/v1/services/aigc/image-generation/generation"
DETECT = "/api/v1/services/vision/facedetection/detect"
FINE_TUNES = "/api/v1/fine-tunes"


def _image(size: tuple[int, int], fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    pixels = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()


FILES = {
    "/astronaut.jpg": ("image/jpeg", ASTRONAUT),
    "/small.jpg": ("image/jpeg", _image((200, 300))),
    "/wide.jpg": ("image/jpeg", _image((2600, 700))),
    "/anim.gif": ("image/gif", _image((600, 600), "GIF")),
    "/heavy.png": ("image/png", _image((1200, 1200), "PNG")),  # ~4.3 MB of noise
    "/text.jpg": ("image/jpeg", b"plain text that claims to be a JPEG"),
}


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    with file_server(FILES) as url:
        yield url


@pytest.fixture(autouse=True)
def limits(settings):
    """Generous limits unless a test lowers them. Counters are per account (and every test has
    new accounts), so the cache is never cleared: under Redis it is django-q2's queue too."""
    settings.STUDIO_RATE_LIMITS = {
        **settings.STUDIO_RATE_LIMITS, "dashscope.submit": "1000/s", "dashscope.query": "1000/s",
        "dashscope.detect": "1000/s",
    }
    settings.STUDIO_DASHSCOPE_MAX_CONCURRENT = 1000
    return settings


@pytest.fixture
def private_urls_allowed(settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True


def account(email: str):
    owner = user_get_or_create(email=email)[0]
    return owner, apikey_create(owner=owner).raw


@pytest.fixture
def partner(db):
    return account("partner@example.com")


@pytest.fixture
def ds(client, partner):
    """Calls the API as the partner (or with ``key``); returns (status, JSON body)."""

    def call(method: str, path: str, body: dict | None = None, *, key: str | None = None,
             asynchronous: bool = True) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {key if key is not None else partner[1]}"}
        if asynchronous:
            headers["X-DashScope-Async"] = "enable"
        if method == "GET":
            response = client.get(path, headers=headers)
        else:
            response = client.post(path, data=body or {}, content_type="application/json", headers=headers)
        return response.status_code, response.json()

    return call


def gen_body(style: str = "portrait_url_template", **fields) -> dict:
    body = {"model": "facechain-generation", "parameters": {"style": style, "n": 1}, "input": {}}
    for name, value in fields.items():
        section, _, key = name.partition("__")
        if key:
            body[section][key] = value
        else:
            body[section] = value
    return body


def ready_avatar(owner) -> Avatar:
    return Avatar.objects.create(owner=owner, status=AvatarStatus.READY)


def facelora(avatar_or_id) -> list[dict]:
    model_id = str(getattr(avatar_or_id, "model_id", avatar_or_id))
    return [{"resource_id": model_id, "resource_type": "facelora"}]


def queued_job(owner, *, source: str = "dashscope", kind: str = JobKind.STYLIZE, **fields) -> Job:
    return Job.objects.create(owner=owner, kind=kind, source=source, input={"style_index": 0}, **fields)


# --- authentication and the async header -------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "sk-not-a-key", "nonsense"])
def test_bad_or_missing_key_is_401_invalid_api_key(ds, key):
    status, body = ds("POST", GEN, gen_body(), key=key)

    assert status == 401
    assert body["code"] == "InvalidApiKey" and body["message"] == "Invalid API-key provided."
    assert body["request_id"]


@pytest.mark.django_db
def test_revoked_key_is_invalid_api_key(ds, partner):
    owner, raw = partner
    apikey_revoke(owner=owner, key_id=owner.api_keys.get().id)

    status, body = ds("GET", "/api/v1/tasks")

    assert (status, body["code"]) == (401, "InvalidApiKey")


@pytest.mark.django_db
@pytest.mark.parametrize("path", [GEN, REPAINT])
def test_submission_without_async_header_is_access_denied(ds, path):
    status, body = ds("POST", path, gen_body(), asynchronous=False)

    assert status == 403
    assert (body["code"], body["message"]) == ("AccessDenied", "current user api does not support synchronous calls")
    assert Job.objects.count() == 0


# --- InvalidParameter --------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("body, words", [
    ({"model": "qwen-max", "parameters": {"style": "f_business_female"}}, "Model not exist"),
    (gen_body("f_sunday_female"), "parameters.style must be one of"),
    (gen_body(parameters={"style": "portrait_url_template", "n": 5}), "parameters.n"),
    (gen_body(parameters={"style": "portrait_url_template", "n": True}), "parameters.n"),
    (gen_body("portrait_url_template"), "needs a facelora resource"),
    (gen_body("train_free_portrait_url_template", input__user_urls=[]), "input.user_urls"),
    (gen_body("train_free_portrait_url_template", input__user_urls=["http://x/%d.jpg" % i for i in range(6)]),
     "input.user_urls"),
])
def test_bad_generation_parameters_are_invalid_parameter(ds, body, words):
    status, answer = ds("POST", GEN, body)

    assert (status, answer["code"]) == (400, "InvalidParameter")
    assert words in answer["message"]
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_body_that_is_not_json_is_invalid_parameter(client, partner):
    response = client.post(GEN, data=b"{not json", content_type="application/json",
                           headers={"Authorization": f"Bearer {partner[1]}", "X-DashScope-Async": "enable"})

    assert response.status_code == 400 and response.json()["code"] == "InvalidParameter"


@pytest.mark.django_db
def test_someone_elses_avatar_reads_like_one_that_does_not_exist(ds):
    stranger = ready_avatar(user_get_or_create(email="stranger@example.com")[0])
    template = {"template_url": "http://example.com/t.jpg"}

    nobody = uuid.uuid4()

    theirs = ds("POST", GEN, gen_body(resources=facelora(stranger), input=template))
    missing = ds("POST", GEN, gen_body(resources=facelora(nobody), input=template))

    assert theirs == (400, {**theirs[1], "code": "InvalidParameter",
                            "message": f"The facelora resource {stranger.model_id} does not exist."})
    assert missing[1]["message"] == f"The facelora resource {nobody} does not exist."
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_avatar_still_training_is_invalid_parameter(ds, partner):
    avatar = Avatar.objects.create(owner=partner[0], status=AvatarStatus.TRAINING)

    status, body = ds("POST", GEN, gen_body(resources=facelora(avatar), input={"template_url": "http://x/t.jpg"}))

    assert (status, body["code"]) == (400, "InvalidParameter") and "not ready" in body["message"]


@pytest.mark.django_db
def test_style_index_must_be_given(ds):
    status, body = ds("POST", REPAINT, {"model": "wanx-style-repaint-v1", "input": {"image_url": "http://x/a.jpg"}})

    assert (status, body["code"]) == (400, "InvalidParameter") and "style_index" in body["message"]


@pytest.mark.django_db
def test_style_index_out_of_range_is_invalid_parameter(ds, files, private_urls_allowed):
    status, body = ds("POST", REPAINT, {"model": "wanx-style-repaint-v1",
                                        "input": {"image_url": f"{files}/astronaut.jpg", "style_index": 99}})

    assert (status, body["code"]) == (400, "InvalidParameter") and "style_index" in body["message"]


# --- InvalidURL, InvalidImageFormat, InvalidImageResolution --------------------------------------

@pytest.mark.django_db
def test_private_address_is_invalid_url(ds, files, partner):
    body = gen_body(resources=facelora(ready_avatar(partner[0])), input={"template_url": f"{files}/astronaut.jpg"})

    status, answer = ds("POST", GEN, body)

    assert (status, answer["code"]) == (400, "InvalidURL")
    assert "private" in answer["message"]


@pytest.mark.django_db
def test_missing_file_is_invalid_url(ds, files, partner, private_urls_allowed):
    body = gen_body(resources=facelora(ready_avatar(partner[0])), input={"template_url": f"{files}/gone.jpg"})

    status, answer = ds("POST", GEN, body)

    assert (status, answer["code"]) == (400, "InvalidURL")


@pytest.mark.django_db
@pytest.mark.parametrize("name, code, words", [
    ("text.jpg", "InvalidImageFormat", "not a readable image"),
    ("anim.gif", "InvalidImageFormat", "is GIF"),
    ("heavy.png", "InvalidImageFormat", "at most 3 MB"),
    ("small.jpg", "InvalidImageResolution", "200x300"),
    ("wide.jpg", "InvalidImageResolution", "2600x700"),
])
def test_user_photo_limits(ds, files, private_urls_allowed, name, code, words):
    body = gen_body("train_free_portrait_url_template",
                    input={"template_url": f"{files}/astronaut.jpg", "user_urls": [f"{files}/{name}"]})

    status, answer = ds("POST", GEN, body)

    assert (status, answer["code"]) == (400, code)
    assert words in answer["message"]
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_template_below_512_px_is_invalid_image_resolution(ds, files, partner, private_urls_allowed):
    body = gen_body(resources=facelora(ready_avatar(partner[0])), input={"template_url": f"{files}/small.jpg"})

    status, answer = ds("POST", GEN, body)

    assert (status, answer["code"]) == (400, "InvalidImageResolution")
    assert "512x512 to 1680x1260" in answer["message"]


# --- tasks -------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_stylization_task_succeeds_with_signed_result_url(ds, client, files, private_urls_allowed, sync_queue):
    status, submitted = ds("POST", REPAINT, {"model": "wanx-style-repaint-v1",
                                             "input": {"image_url": f"{files}/astronaut.jpg", "style_index": 0}})
    assert status == 200, submitted
    task_id = submitted["output"]["task_id"]
    assert submitted["output"]["task_status"] == "PENDING"

    status, body = ds("GET", f"/api/v1/tasks/{task_id}")
    with_slash = ds("GET", f"/api/v1/tasks/{task_id}/")[1]

    output = body["output"]
    assert status == 200 and output["task_status"] == "SUCCEEDED", output
    assert with_slash["output"]["results"] == output["results"]
    assert body["usage"] == {"image_count": 1}
    assert output["task_metrics"] == {"TOTAL": 1, "SUCCEEDED": 1, "FAILED": 0}
    assert len(output["submit_time"]) == len("2023-11-07 15:18:03.346")
    image = client.get(output["results"][0]["url"])
    assert image.status_code == 200
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).format == "JPEG"


@pytest.mark.django_db
def test_someone_elses_task_is_unknown(ds):
    theirs = queued_job(user_get_or_create(email="stranger@example.com")[0])

    status, body = ds("GET", f"/api/v1/tasks/{task_id_for(theirs)}")

    assert status == 200 and body["output"] == {"task_id": task_id_for(theirs), "task_status": "UNKNOWN"}


@pytest.mark.django_db
@pytest.mark.parametrize("task_id", ["nonsense", "00000001-0000-0000-0000-000000000000", str(uuid.uuid4())])
def test_unknown_or_forged_task_id_is_unknown(ds, partner, task_id):
    queued_job(partner[0])

    status, body = ds("GET", f"/api/v1/tasks/{task_id}")

    assert status == 200 and body["output"]["task_status"] == "UNKNOWN"


@pytest.mark.django_db
def test_task_past_retention_is_unknown(ds, partner):
    long_ago = timezone.now() - timedelta(hours=25)
    job = queued_job(partner[0], state=JobState.SUCCEEDED, finished_at=long_ago, result={"images": []})

    assert ds("GET", f"/api/v1/tasks/{task_id_for(job)}")[1]["output"]["task_status"] == "UNKNOWN"


@pytest.mark.django_db
def test_failed_task_has_internal_error_algo(ds, partner):
    job = queued_job(partner[0], state=JobState.FAILED, finished_at=timezone.now(),
                     error_code="no_face", error_message="No face was found in the image.")

    output = ds("GET", f"/api/v1/tasks/{task_id_for(job)}")[1]["output"]

    assert output["task_status"] == "FAILED"
    assert (output["code"], output["message"]) == ("InternalError.Algo", "No face was found in the image.")


@pytest.mark.django_db
def test_task_list_pages_through_own_dashscope_tasks_only(ds, partner):
    mine = [queued_job(partner[0]) for _ in range(3)]
    queued_job(partner[0], source="pai")
    queued_job(user_get_or_create(email="stranger@example.com")[0])

    first = ds("GET", "/api/v1/tasks?page_no=1&page_size=2")[1]
    second = ds("GET", "/api/v1/tasks?page_no=2&page_size=2")[1]

    assert (first["total"], first["total_page"], first["page_no"], first["page_size"]) == (3, 2, 1, 2)
    listed = [item["task_id"] for item in first["data"] + second["data"]]
    assert listed == [task_id_for(job) for job in reversed(mine)]
    assert first["data"][0]["status"] == "PENDING" and first["data"][0]["model_name"] == "wanx-style-repaint-v1"


def _submitted_at(owner, moment, **fields) -> Job:
    job = queued_job(owner, **fields)
    Job.objects.filter(id=job.id).update(created_at=moment)
    return job


@pytest.mark.django_db
def test_task_list_keeps_tasks_submitted_between_start_and_end_time(ds, partner):
    now = timezone.localtime().replace(microsecond=0)
    before = _submitted_at(partner[0], now - timedelta(hours=3))
    within = [_submitted_at(partner[0], now - timedelta(hours=2)), _submitted_at(partner[0], now - timedelta(hours=1))]
    _submitted_at(partner[0], now)
    start, end = (now - timedelta(hours=2)).strftime("%Y%m%d%H%M%S"), (now - timedelta(hours=1)).strftime("%Y%m%d%H%M%S")

    both = ds("GET", f"/api/v1/tasks?start_time={start}&end_time={end}")[1]
    since = ds("GET", f"/api/v1/tasks?start_time={start}")[1]
    until = ds("GET", f"/api/v1/tasks?end_time={start}")[1]

    assert [item["task_id"] for item in both["data"]] == [task_id_for(job) for job in reversed(within)]
    assert (both["total"], since["total"]) == (2, 3)
    assert [item["task_id"] for item in until["data"]] == [task_id_for(within[0]), task_id_for(before)]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["start_time=2023-04-20", "end_time=yesterday", "start_time=20230421000000&end_time=20230420000000"])
def test_bad_task_list_times_are_invalid_parameter(ds, partner, query):
    queued_job(partner[0])

    status, body = ds("GET", f"/api/v1/tasks?{query}")

    assert (status, body["code"]) == (400, "InvalidParameter")
    assert "start_time" in body["message"] or "end_time" in body["message"]


@pytest.mark.django_db
def test_task_list_items_carry_task_status_and_times(ds, partner):
    started, finished = timezone.now() - timedelta(minutes=2), timezone.now() - timedelta(minutes=1)
    job = queued_job(partner[0], state=JobState.SUCCEEDED, started_at=started, finished_at=finished,
                     result={"images": []})

    [item] = ds("GET", "/api/v1/tasks")[1]["data"]

    assert (item["task_id"], item["task_status"], item["status"]) == (task_id_for(job), "SUCCEEDED", "SUCCEEDED")
    assert (item["start_time"], item["end_time"]) == (int(started.timestamp() * 1000), int(finished.timestamp() * 1000))
    assert item["gmt_create"] == int(job.created_at.timestamp() * 1000)


@pytest.mark.django_db
def test_bad_paging_is_invalid_parameter(ds):
    status, body = ds("GET", "/api/v1/tasks?page_no=0")

    assert (status, body["code"]) == (400, "InvalidParameter")


@pytest.mark.django_db
def test_cancel_of_pending_task_then_it_reads_canceled(ds, partner):
    job = queued_job(partner[0])

    status, _ = ds("POST", f"/api/v1/tasks/{task_id_for(job)}/cancel")
    output = ds("GET", f"/api/v1/tasks/{task_id_for(job)}")[1]["output"]
    again = ds("POST", f"/api/v1/tasks/{task_id_for(job)}/cancel")

    assert status == 200 and output["task_status"] == "CANCELED"
    assert again[0] == 400 and again[1]["code"] == "UnsupportedOperation"


@pytest.mark.django_db
def test_cancel_of_someone_elses_task_changes_nothing(ds):
    theirs = queued_job(user_get_or_create(email="stranger@example.com")[0])

    status, body = ds("POST", f"/api/v1/tasks/{task_id_for(theirs)}/cancel")

    assert (status, body["code"]) == (400, "UnsupportedOperation")
    theirs.refresh_from_db()
    assert theirs.state == JobState.QUEUED


# --- facedetect and fine-tunes -----------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_facedetect_answers_per_image(ds, files, private_urls_allowed, sync_queue):
    images = [f"{files}/astronaut.jpg", f"{files}/text.jpg", f"{files}/small.jpg"]

    status, body = ds("POST", DETECT, {"model": "facechain-facedetect", "input": {"images": images},
                                       "parameters": {}}, asynchronous=False)

    assert status == 200, body
    assert body["output"]["is_face"] == [True, False, False]
    reasons = body["output"]["failed_reason"]
    assert reasons[0] == "" and "not a readable image" in reasons[1] and "256x256" in reasons[2]


@pytest.mark.django_db
def test_facedetect_past_the_waiting_slots_is_throttled_and_makes_nothing(client, partner, files, private_urls_allowed,
                                                                          settings):
    settings.STUDIO_SYNC_WAITERS = 1
    body = {"model": "facechain-facedetect", "input": {"images": [f"{files}/astronaut.jpg"]}, "parameters": {}}
    with sync_wait_slot():  # another request waiting for its job
        response = client.post(DETECT, data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {partner[1]}"})

    assert (response.status_code, response.json()["code"], response["Retry-After"]) == (429, "Throttling", "1")
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_fine_tune_of_someone_elses_job_is_not_found(ds):
    theirs = queued_job(user_get_or_create(email="stranger@example.com")[0], kind=JobKind.TRAIN)

    status, body = ds("GET", f"{FINE_TUNES}/ft-{task_id_for(theirs)}")

    assert (status, body["code"]) == (404, "NotFound")


@pytest.mark.django_db(transaction=True)
def test_fine_tune_answers_the_avatar_as_finetuned_output_once_trained(ds, files, private_urls_allowed, sync_queue):
    status, body = ds("POST", FINE_TUNES, {"model": "facechain-finetune",
                                           "training_file_ids": [f"{files}/astronaut.jpg"]}, asynchronous=False)

    assert status == 200, body
    output = body["output"]
    avatar = Avatar.objects.get()
    assert output["status"] == "PENDING" and "finetuned_output" not in output
    assert output["job_id"].startswith("ft-") and output["training_file_ids"] == [f"{files}/astronaut.jpg"]
    fetched = ds("GET", f"{FINE_TUNES}/{output['job_id']}")[1]["output"]
    assert fetched["status"] == "SUCCEEDED" and fetched["finetuned_output"] == str(avatar.model_id)
    assert Photo.objects.filter(avatar=avatar).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.FAILED, JobState.CANCELED])
def test_fine_tune_has_no_finetuned_output_until_it_succeeds(ds, partner, state):
    job = queued_job(partner[0], kind=JobKind.TRAIN, state=state)
    AvatarJob.objects.create(job=job, avatar=Avatar.objects.create(owner=partner[0]))

    fetched = ds("GET", f"{FINE_TUNES}/ft-{task_id_for(job)}")[1]["output"]
    [listed] = ds("GET", FINE_TUNES)[1]["output"]["jobs"]

    assert fetched["status"] != "SUCCEEDED"
    assert "finetuned_output" not in fetched and "finetuned_output" not in listed


# --- ID photos ---------------------------------------------------------------------------------

@pytest.fixture
def idcard(db):
    return Style.objects.update_or_create(key="f_idcard_female", defaults={
        "title": "ID card", "kind": StyleKind.IDPHOTO, "parameters": {"size": "1inch", "background": "blue"}})[0]


def trained_avatar(owner, shared_data, scores: dict[str, float]) -> tuple[Avatar, list[Photo]]:
    """A ready avatar whose photos passed their check with these training scores; the first is the reference."""
    avatar = ready_avatar(owner)
    photos = []
    for position, (name, score) in enumerate(scores.items()):
        photo = Photo(owner=owner, avatar=avatar, position=position, is_reference=position == 0,
                      check_result={"code": 1, "message": "success", "score": score})
        photo.image.save("photo.jpg", io.BytesIO((shared_data / name).read_bytes()), save=True)
        photos.append(photo)
    return avatar, photos


@pytest.mark.django_db(transaction=True)
def test_id_photo_preset_makes_its_id_photo_from_the_avatars_most_compliant_photo(ds, client, partner, idcard,
                                                                                   shared_data, sync_queue):
    # mark_zuckerberg/1 (the reference, best likeness) has tilted shoulders and /3 an open mouth;
    # /2 passes every check: it is the one used, and the only one made of the 2 asked for.
    avatar, (_reference, compliant, _smiling) = trained_avatar(
        partner[0], shared_data, {f"faces/mark_zuckerberg/{i}.jpg": score for i, score in ((1, 0.9), (2, 0.3), (3, 0.7))})
    trial_before = Account.objects.get(user=partner[0]).trial_creations

    status, submitted = ds("POST", GEN, gen_body("f_idcard_female", parameters={"style": "f_idcard_female", "n": 2},
                                                 resources=facelora(avatar)))
    body = ds("GET", f"/api/v1/tasks/{submitted['output']['task_id']}")[1]

    assert status == 200, submitted
    output = body["output"]
    assert output["task_status"] == "SUCCEEDED", (output, Job.objects.get().error_message)
    assert body["usage"] == {"image_count": 1} and output["task_metrics"] == {"TOTAL": 2, "SUCCEEDED": 1, "FAILED": 1}
    assert output["results"][0]["compliance"]["compliant"] is True
    assert "1 of the 2 ID photos" in output["message"]
    job = Job.objects.get()
    assert job.result["images"][0]["photo"] == compliant.id
    account = Account.objects.get(user=partner[0])
    assert (account.trial_creations, account.reserved) == (trial_before - 1, 0)  # one made, one paid
    image = Image.open(io.BytesIO(b"".join(client.get(output["results"][0]["url"]).streaming_content)))
    assert image.height > image.width


@pytest.mark.django_db(transaction=True)
def test_id_photo_preset_of_an_avatar_without_a_compliant_photo_fails_and_charges_nothing(ds, partner, idcard,
                                                                                          shared_data, sync_queue):
    # obama/1 smiles open-mouthed; obama/4 is turned 20°, past what the framing takes at all.
    avatar, _ = trained_avatar(partner[0], shared_data, {"faces/obama/1.jpg": 0.9, "faces/obama/4.jpg": 0.5})
    trial_before = Account.objects.get(user=partner[0]).trial_creations

    submitted = ds("POST", GEN, gen_body("f_idcard_female", parameters={"style": "f_idcard_female", "n": 4},
                                         resources=facelora(avatar)))[1]
    body = ds("GET", f"/api/v1/tasks/{submitted['output']['task_id']}")[1]

    output = body["output"]
    assert output["task_status"] == "FAILED"
    assert "would pass as an ID photo" in output["message"] and "mouth" in output["message"]
    assert "mouth_closed" in {check["name"] for check in output["compliance"]["checks"] if not check["passed"]}
    account = Account.objects.get(user=partner[0])
    assert (account.trial_creations, account.reserved) == (trial_before, 0)


@pytest.mark.django_db(transaction=True)
def test_id_photo_preset_draft_of_an_avatar_without_a_compliant_photo_is_marked(ds, partner, idcard, shared_data,
                                                                                 sync_queue):
    avatar, _ = trained_avatar(partner[0], shared_data, {"faces/obama/1.jpg": 0.9})

    submitted = ds("POST", GEN, gen_body("f_idcard_female", parameters={"style": "f_idcard_female", "draft": True},
                                         resources=facelora(avatar)))[1]
    output = ds("GET", f"/api/v1/tasks/{submitted['output']['task_id']}")[1]["output"]

    assert output["task_status"] == "SUCCEEDED", output
    assert output["results"][0]["compliance"]["compliant"] is False


@pytest.fixture
def shared_files(shared_data) -> Iterator[str]:
    names = {"/compliant.jpg": "faces/mark_zuckerberg/2.jpg", "/open_mouth.jpg": "faces/obama/1.jpg"}
    with file_server({path: ("image/jpeg", (shared_data / name).read_bytes()) for path, name in names.items()}) as url:
        yield url


@pytest.mark.django_db(transaction=True)
def test_id_photo_preset_from_one_given_photo_needs_no_avatar(ds, idcard, shared_files, private_urls_allowed,
                                                               sync_queue):
    body = gen_body("f_idcard_female", input={"user_urls": [f"{shared_files}/compliant.jpg"]})

    status, submitted = ds("POST", GEN, body)
    output = ds("GET", f"/api/v1/tasks/{submitted['output']['task_id']}")[1]["output"]

    assert status == 200, submitted
    assert output["task_status"] == "SUCCEEDED", output
    report = output["results"][0]["compliance"]
    assert report["compliant"] is True and {"name", "value", "limit", "passed", "message"} <= set(report["checks"][0])


@pytest.mark.django_db(transaction=True)
def test_id_photo_preset_draft_of_a_failing_photo_is_marked_not_compliant(ds, idcard, shared_files,
                                                                          private_urls_allowed, sync_queue):
    body = gen_body("f_idcard_female", input={"user_urls": [f"{shared_files}/open_mouth.jpg"]},
                    parameters={"style": "f_idcard_female", "draft": True})

    submitted = ds("POST", GEN, body)[1]
    output = ds("GET", f"/api/v1/tasks/{submitted['output']['task_id']}")[1]["output"]

    assert output["task_status"] == "SUCCEEDED", output
    assert output["results"][0]["compliance"]["compliant"] is False


@pytest.mark.django_db
def test_id_photo_preset_without_avatar_or_photo_is_invalid_parameter(ds, idcard):
    status, answer = ds("POST", GEN, gen_body("f_idcard_female"))

    assert (status, answer["code"]) == (400, "InvalidParameter")
    assert "user_urls" in answer["message"] and Job.objects.count() == 0


# --- limits ------------------------------------------------------------------------------------

def _next_second() -> None:
    time.sleep(1.02 - time.time() % 1)


def _well_into_next_second() -> None:
    # The limiter's window slides: part of the last second still counts early in the next one.
    time.sleep(1.7 - time.time() % 1)


@pytest.mark.django_db
def test_submission_rate_trips_and_recovers(ds, limits):
    limits.STUDIO_RATE_LIMITS["dashscope.submit"] = "2/s"
    _next_second()

    answers = [ds("POST", GEN, gen_body("f_sunday_female")) for _ in range(3)]
    _well_into_next_second()
    after = ds("POST", GEN, gen_body("f_sunday_female"))

    assert [status for status, _ in answers] == [400, 400, 429]
    assert answers[2][1]["code"] == "Throttling.RateQuota"
    assert answers[2][1]["message"] == "Requests rate limit exceeded, please try again later."
    assert after[0] == 400


@pytest.mark.django_db
def test_concurrent_task_limit_trips_until_the_task_ends(ds, partner, limits):
    limits.STUDIO_DASHSCOPE_MAX_CONCURRENT = 1
    job = queued_job(partner[0])

    blocked = ds("POST", GEN, gen_body("f_sunday_female"))
    ds("POST", f"/api/v1/tasks/{task_id_for(job)}/cancel")
    freed = ds("POST", GEN, gen_body("f_sunday_female"))

    assert blocked[0] == 429 and blocked[1]["code"] == "Throttling"
    assert freed[0] == 400 and freed[1]["code"] == "InvalidParameter"


@pytest.mark.django_db
def test_other_sources_do_not_count_against_the_concurrent_limit(ds, partner, limits):
    limits.STUDIO_DASHSCOPE_MAX_CONCURRENT = 1
    queued_job(partner[0], source="pai")

    assert ds("POST", GEN, gen_body("f_sunday_female"))[0] == 400


@pytest.mark.django_db
def test_query_rate_trips_and_recovers(ds, limits):
    limits.STUDIO_RATE_LIMITS["dashscope.query"] = "2/s"
    _next_second()

    statuses = [ds("GET", "/api/v1/tasks")[0] for _ in range(3)]
    _well_into_next_second()

    assert statuses == [200, 200, 429]
    assert ds("GET", "/api/v1/tasks")[0] == 200


@pytest.mark.django_db(transaction=True)
def test_account_that_cannot_pay_gets_arrearage(ds, partner, files, private_urls_allowed):
    from billing.services import ledger_adjust

    account = Account.objects.get(user=partner[0])
    ledger_adjust(account=account, points=0, trial_trainings=-account.trial_trainings,
                  trial_creations=-account.trial_creations, reason="trial used up in this test")

    status, body = ds("POST", REPAINT, {"model": "wanx-style-repaint-v1",
                                        "input": {"image_url": f"{files}/astronaut.jpg", "style_index": 0}})

    assert (status, body["code"]) == (400, "Arrearage")
    assert body["message"].startswith("Access denied, please make sure your account is in good standing.")


# --- outages -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_task_query_is_answered_while_the_cache_is_down(ds, partner, cache_down):
    job = queued_job(partner[0])

    status, body = ds("GET", f"/api/v1/tasks/{task_id_for(job)}")

    assert (status, body["output"]["task_status"]) == (200, "PENDING")


@pytest.mark.django_db
def test_submission_while_the_broker_is_down_is_503_internal_error(client, partner, files, private_urls_allowed,
                                                                    broker_down):
    response = client.post(REPAINT, data={"model": "wanx-style-repaint-v1",
                                          "input": {"image_url": f"{files}/astronaut.jpg", "style_index": 0}},
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {partner[1]}", "X-DashScope-Async": "enable"})

    assert (response.status_code, response.json()["code"]) == (503, "InternalError")
    assert "try again" in response.json()["message"] and int(response["Retry-After"]) > 0
    assert not Job.objects.filter(owner=partner[0]).exists()
