"""Work through the native API: each POST queues a job that runs (django-q2 sync mode) to a result."""
from __future__ import annotations

import pytest

from jobs.models import Job
from studio.portraits.models import Avatar, AvatarStatus, Portrait

from .conftest import API, ASTRONAUT, shared_upload, upload

pytestmark = pytest.mark.django_db(transaction=True)

OBAMA = [f"faces/obama/{i}.jpg" for i in (1, 2, 3, 4)]
SOLO_TEMPLATE = "templates/easyphoto/1.jpg"


def test_photo_check_of_uploads_reports_each_photo(api, sync_queue, shared_data):
    files = [shared_upload(shared_data, "faces/obama/1.jpg"), shared_upload(shared_data, "faces/obama/2.jpg")]

    created = api.post(f"{API}/photo-checks/", {"photos": files})

    assert created.status_code == 201, created.content
    job = api.get(f"{API}/photo-checks/{created.json()['id']}/").json()
    assert job["state"] == "succeeded" and job["progress"] == 100
    assert [r["code"] for r in job["check_results"]] == [1, 1]


def test_photo_check_of_a_private_url_is_refused_before_any_job(api):
    response = api.post(f"{API}/photo-checks/", {"urls": ["http://127.0.0.1:9/x.jpg"]},
                        content_type="application/json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "url_fetch_failed" and "0" in error["fields"]["urls"]
    assert not Job.objects.exists()


def test_a_non_image_upload_is_400_on_its_field(api):
    response = api.post(f"{API}/photo-checks/", {"photos": [upload(b"not an image")]})

    assert response.status_code == 400
    assert "photos" in response.json()["error"]["fields"]


def test_avatar_trains_then_portrait_created_from_template_lands_in_gallery(api, sync_queue, shared_data):
    trained = api.post(f"{API}/avatars/", {"name": "me", "photos": [shared_upload(shared_data, p) for p in OBAMA]})
    assert trained.status_code == 201, trained.content
    model_id = trained.json()["avatar"]["model_id"]
    assert api.get(f"{API}/jobs/{trained.json()['job']['id']}/").json()["state"] == "succeeded"
    assert api.get(f"{API}/avatars/{model_id}/").json()["status"] == AvatarStatus.READY

    created = api.post(f"{API}/portraits/", {"template_file": shared_upload(shared_data, SOLO_TEMPLATE),
                                             "avatars": [model_id], "n": 1})

    assert created.status_code == 201, created.content
    job = api.get(f"{API}/jobs/{created.json()['id']}/").json()
    assert job["state"] == "succeeded", job["error"]
    assert job["images"][0]["url"].startswith("http://testserver/m/")
    gallery = api.get(f"{API}/portraits/", {"avatar": model_id}).json()["results"]
    assert len(gallery) == 1 and gallery[0]["avatars"] == [model_id]
    image = api.get(gallery[0]["image"])
    image.close()  # a FileResponse holds the file open
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_deleting_an_avatar_removes_its_photos_portraits_and_artifact(api, sync_queue, shared_data):
    from django.core.files.storage import default_storage

    trained = api.post(f"{API}/avatars/", {"photos": [shared_upload(shared_data, p) for p in OBAMA]}).json()
    avatar = Avatar.objects.get(model_id=trained["avatar"]["model_id"])
    photo_names = [p.image.name for p in avatar.photos.all()]
    artifact = avatar.artifact
    assert artifact and all(default_storage.exists(n) for n in photo_names)

    response = api.delete(f"{API}/avatars/{avatar.model_id}/")

    assert response.status_code == 204
    assert not Avatar.objects.filter(id=avatar.id).exists()
    assert not any(default_storage.exists(n) for n in photo_names)
    assert not default_storage.exists(f"{artifact}/manifest.json") and not default_storage.listdir(artifact)[1]


def test_train_free_portrait_from_photos(api, sync_queue, shared_data):
    created = api.post(f"{API}/portraits/", {"template_file": shared_upload(shared_data, SOLO_TEMPLATE),
                                             "photos": [shared_upload(shared_data, "faces/obama/1.jpg")]})

    assert created.status_code == 201, created.content
    assert Job.objects.get(id=created.json()["id"]).state == "succeeded"
    assert Portrait.objects.filter(job_id=created.json()["id"]).count() == 1


def test_stylization_of_an_upload_with_a_preset(api, sync_queue):
    created = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 0})

    assert created.status_code == 201, created.content
    job = api.get(f"{API}/jobs/{created.json()['id']}/").json()
    assert job["state"] == "succeeded" and len(job["images"]) == 1


def test_stylization_with_minus_one_needs_a_reference(api):
    response = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": -1})

    assert response.status_code == 400
    assert "reference" in response.json()["error"]["fields"]


def test_stylization_with_an_unknown_preset_is_400_invalid_option(api):
    response = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 99})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_option"


def test_idphoto_draft_from_an_upload(api, sync_queue):
    created = api.post(f"{API}/idphotos/", {"photo": upload(ASTRONAUT), "size": "passport", "background": "blue",
                                            "draft": "true"})

    assert created.status_code == 201, created.content
    job = api.get(f"{API}/jobs/{created.json()['id']}/").json()
    assert job["state"] == "succeeded", job["error"]
    assert (job["images"][0]["width"], job["images"][0]["height"]) == (413, 531)


def test_idphoto_of_an_unknown_size_is_refused_at_once(api):
    response = api.post(f"{API}/idphotos/", {"photo": upload(ASTRONAUT), "size": "huge"})

    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] == "invalid_option"
    assert not Job.objects.exists()


def test_without_points_or_trial_work_is_402_quota_exceeded(api, owner):
    from billing.models import Account
    from billing.services import ledger_adjust

    account = Account.objects.get(user=owner)
    ledger_adjust(account=account, points=0, trial_trainings=-account.trial_trainings,
                  trial_creations=-account.trial_creations, reason="no trial in this test")

    response = api.post(f"{API}/stylizations/", {"image": upload(ASTRONAUT), "style_index": 0})

    assert response.status_code == 402, response.content
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert not Job.objects.exists()
