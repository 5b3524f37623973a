"""ID photos on the native API: one photo in, the compliance report out; a failing photo refused
with its failed checks and nothing charged; drafts marked; an avatar's most compliant photo used."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from billing.models import Account, Reservation, ReservationState
from jobs.models import Job
from studio.portraits.models import Avatar, AvatarStatus, Photo

from .conftest import API, ASTRONAUT, shared_upload, upload

COMPLIANT = "faces/mark_zuckerberg/2.jpg"  # passes every check for every standard size (tests/engine)
OPEN_MOUTH = "faces/obama/1.jpg"  # a wide open-mouthed smile

pytestmark = pytest.mark.django_db(transaction=True)


def _made(api, fields: dict) -> dict:
    created = api.post(f"{API}/idphotos/", fields)
    assert created.status_code == 201, created.content
    return api.get(f"{API}/jobs/{created.json()['id']}/").json()


def test_one_photo_in_makes_a_compliant_id_photo_with_its_report(api, sync_queue, shared_data):
    job = _made(api, {"photo": shared_upload(shared_data, COMPLIANT), "size": "passport"})

    assert job["state"] == "succeeded", job["error"]
    assert job["compliance"]["compliant"] is True and job["compliance"]["draft"] is False
    check = job["compliance"]["checks"][0]
    assert set(check) == {"name", "value", "limit", "passed", "message"}
    assert {c["name"] for c in job["compliance"]["checks"]} >= {"head_yaw", "mouth_closed", "eyes_open", "sharpness"}
    assert job["images"][0]["compliance"]["compliant"] is True
    assert (job["images"][0]["width"], job["images"][0]["height"]) == (413, 531)


def test_us_size_offers_the_600_px_digital_upload_version(api, client, sync_queue, shared_data):
    job = _made(api, {"photo": shared_upload(shared_data, COMPLIANT), "size": "us"})

    assert job["state"] == "succeeded", job["error"]
    upload_version = job["images"][0]["upload"]
    assert (upload_version["width"], upload_version["height"]) == (600, 600)
    response = client.get(upload_version["url"])
    response.close()  # a streamed file: left open, it warns later in another test
    assert response.status_code == 200


def test_failing_photo_is_refused_with_its_failed_checks_and_charges_nothing(api, owner, sync_queue, shared_data):
    before = Account.objects.get(user=owner)

    job = _made(api, {"photo": shared_upload(shared_data, OPEN_MOUTH), "size": "passport"})

    assert job["state"] == "failed" and job["error"]["code"] == "photo_not_compliant"
    assert "mouth" in job["error"]["message"].lower()
    failed = {c["name"] for c in job["compliance"]["checks"] if not c["passed"]}
    assert "mouth_closed" in failed and job["compliance"]["compliant"] is False and job["images"] == []
    after = Account.objects.get(user=owner)
    assert (after.available, after.trial_creations, after.reserved) == (before.available, before.trial_creations, 0)
    assert Reservation.objects.get(job_id=job["id"]).state == ReservationState.RELEASED


def test_draft_of_a_failing_photo_is_made_and_marked_not_compliant(api, sync_queue, shared_data):
    job = _made(api, {"photo": shared_upload(shared_data, OPEN_MOUTH), "size": "passport", "draft": "true"})

    assert job["state"] == "succeeded", job["error"]
    assert job["compliance"]["draft"] is True and job["compliance"]["compliant"] is False
    assert len(job["images"]) == 1 and job["images"][0]["compliance"]["compliant"] is False


def test_print_sheet_a6_is_made_at_the_papers_pixels(api, sync_queue):
    job = _made(api, {"photo": upload(ASTRONAUT), "size": "1inch", "sheet": "a6", "draft": "true"})

    assert job["state"] == "succeeded", job["error"]
    assert job["images"][0]["width"] > job["images"][0]["height"] > 1000  # A6 landscape at 300 dpi


def test_avatars_most_compliant_photo_is_chosen_over_its_best_likeness(api, owner, sync_queue, shared_data):
    avatar = Avatar.objects.create(owner=owner, name="Mark", status=AvatarStatus.READY)
    photos = {}
    for position, (name, score) in enumerate([("faces/mark_zuckerberg/1.jpg", 0.9), (COMPLIANT, 0.2)]):
        photo = Photo(owner=owner, avatar=avatar, position=position, is_reference=position == 0,
                      check_result={"code": 1, "message": "success", "score": score})
        photo.image.save("photo.jpg", ContentFile((shared_data / name).read_bytes()), save=True)
        photos[name] = photo

    job = _made(api, {"avatar": str(avatar.model_id), "size": "passport"})

    assert job["state"] == "succeeded", job["error"]
    assert job["compliance"]["compliant"] is True
    assert Job.objects.get(id=job["id"]).result["images"][0]["photo"] == photos[COMPLIANT].id


def test_non_image_photo_is_400_on_its_field(api):
    response = api.post(f"{API}/idphotos/", {"photo": upload(b"%PDF-1.4 not an image", "id.jpg")})

    assert response.status_code == 400
    assert "photo" in response.json()["error"]["fields"]


def test_someone_elses_avatar_is_404(api, stranger):
    theirs = Avatar.objects.create(owner=stranger, name="Theirs", status=AvatarStatus.READY)

    response = api.post(f"{API}/idphotos/", {"avatar": str(theirs.model_id)}, content_type="application/json")

    assert response.status_code == 404 and response.json()["error"]["code"] == "avatar_not_found"


def test_missing_photo_is_400_naming_the_fields(api):
    response = api.post(f"{API}/idphotos/", {"size": "passport"}, content_type="application/json")

    assert response.status_code == 400 and "photo" in response.json()["error"]["fields"]


@pytest.mark.parametrize("sheet", ["a4", "maybe"])
def test_unknown_print_sheet_is_400(api, sheet):
    response = api.post(f"{API}/idphotos/", {"photo": upload(ASTRONAUT), "sheet": sheet})

    assert response.status_code == 400
