"""Ownership, idempotency and pagination of the native API."""
from __future__ import annotations

import base64

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.services import apikey_create
from jobs.models import Job, JobKind, JobState
from jobs.services import job_submit
from studio.portraits.models import Avatar, Portrait

from .conftest import API, ASTRONAUT, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(owner):
    """One of each of the owner's objects, made directly (no work is run)."""
    avatar = Avatar.objects.create(owner=owner, name="mine")
    job = job_submit(owner=owner, kind=JobKind.CHECK, payload={"photos": []})
    name = default_storage.save(f"portraits/{owner.id}/x.jpg", ContentFile(ASTRONAUT))
    portrait = Portrait.objects.create(owner=owner, job=job, image=name)
    key = apikey_create(owner=owner).api_key
    return {"avatar": avatar, "job": job, "portrait": portrait, "key": key}


@pytest.mark.parametrize("method,path", [
    ("get", "/avatars/{avatar}/"), ("delete", "/avatars/{avatar}/"),
    ("get", "/portraits/{portrait}/"), ("patch", "/portraits/{portrait}/"), ("delete", "/portraits/{portrait}/"),
    ("get", "/jobs/{job}/"), ("post", "/jobs/{job}/cancel/"), ("get", "/photo-checks/{job}/"),
    ("delete", "/api-keys/{key}/"),
])
def test_another_users_object_is_404(stranger_api, owned, method, path):
    url = API + path.format(avatar=owned["avatar"].model_id, portrait=owned["portrait"].id,
                            job=owned["job"].id, key=owned["key"].id)

    response = getattr(stranger_api, method)(url, {"favourite": True} if method == "patch" else None,
                                             content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Avatar.objects.filter(id=owned["avatar"].id).exists()
    assert Portrait.objects.get(id=owned["portrait"].id).is_favourite is False
    assert Job.objects.get(id=owned["job"].id).state == JobState.QUEUED


def test_lists_show_only_ones_own(stranger_api, owned):
    for resource in ("avatars", "portraits", "jobs", "api-keys"):
        own_keys = 1 if resource == "api-keys" else 0  # the stranger's client has its own key
        assert len(stranger_api.get(f"{API}/{resource}/").json()["results"]) == own_keys, resource


def test_a_portrait_with_another_users_avatar_is_404(stranger_api, owned):
    response = stranger_api.post(f"{API}/portraits/", {"template_url": "data:,x", "avatars": [str(owned["avatar"].model_id)]},
                                 content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "avatar_not_found"


def test_favourite_patch_and_filter(api, owned):
    portrait = owned["portrait"]

    response = api.patch(f"{API}/portraits/{portrait.id}/", {"favourite": True}, content_type="application/json")

    assert response.status_code == 200 and response.json()["favourite"] is True
    assert [p["id"] for p in api.get(f"{API}/portraits/", {"favourite": "true"}).json()["results"]] == [portrait.id]
    assert api.get(f"{API}/portraits/", {"favourite": "false"}).json()["results"] == []


def test_cancel_a_queued_job_then_again_is_409(api, owned):
    first = api.post(f"{API}/jobs/{owned['job'].id}/cancel/")
    second = api.post(f"{API}/jobs/{owned['job'].id}/cancel/")

    assert first.status_code == 200 and first.json()["state"] == "canceled"
    assert second.status_code == 409 and second.json()["error"]["code"] == "job_final"


def test_same_idempotency_key_returns_the_same_job_with_200(api):
    headers = {"Idempotency-Key": "order-42"}

    first = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 1}, headers=headers)
    second = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 1}, headers=headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Job.objects.count() == 1


def test_idempotent_avatar_creation_makes_one_avatar(api):
    headers = {"Idempotency-Key": "avatar-1"}
    # A data: URL is decoded in-process: the outbound path without a network.
    body = {"urls": ["data:image/jpeg;base64," + base64.b64encode(ASTRONAUT).decode()]}

    first = api.post(f"{API}/avatars/", body, content_type="application/json", headers=headers)
    second = api.post(f"{API}/avatars/", body, content_type="application/json", headers=headers)

    assert (first.status_code, second.status_code) == (201, 200), first.content
    assert second.json()["avatar"]["model_id"] == first.json()["avatar"]["model_id"]
    assert Avatar.objects.count() == 1


def test_idempotency_key_of_another_kind_is_409(api, owner):
    job_submit(owner=owner, kind=JobKind.TRAIN, payload={}, idempotency_key="k")

    response = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 1},
                        headers={"Idempotency-Key": "k"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_jobs_are_paged_by_cursor_newest_first(api, owner):
    made = [job_submit(owner=owner, kind=JobKind.CHECK, payload={"photos": []}).id for _ in range(5)]

    first = api.get(f"{API}/jobs/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    seen = [j["id"] for page in (first, second, third) for j in page["results"]]
    assert seen == list(reversed(made))
    assert third["next"] is None and second["previous"] is not None


def test_a_forged_cursor_is_404_in_the_error_shape(api):
    response = api.get(f"{API}/jobs/", {"cursor": "garbage"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
