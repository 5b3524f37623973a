"""The same-person check as each photo arrives on the new-avatar page: a new photo is checked with the
photos already waiting there (real photos, real check jobs in django-q2 sync mode)."""
from __future__ import annotations

import pytest
from django.db import transaction

from studio.portraits.models import Photo
from studio.portraits.services.photos import photos_check_submit

from .conftest import logged_in, upload

pytestmark = pytest.mark.django_db(transaction=True)


def _give(client, shared_data, path: str) -> dict:
    answer = client.post("/photos/upload/", {"photo": upload((shared_data / path).read_bytes())})
    assert answer.status_code == 201, answer.content
    return client.get(f"/photos/{answer.json()['photo']['id']}.json").json()["photo"]


@pytest.fixture
def client(alice):
    alice.pending_photo.delete()
    return logged_in(alice.user)


def test_a_photo_of_someone_else_is_refused_as_it_arrives(client, sync_queue, shared_data):
    _give(client, shared_data, "faces/obama/1.jpg")
    _give(client, shared_data, "faces/obama/2.jpg")

    other = _give(client, shared_data, "faces/biden/1.jpg")

    assert other["passed"] is False and other["message"] == "This photo is not the same person in photos."


def test_photos_of_the_same_person_all_pass(client, sync_queue, shared_data):
    rows = [_give(client, shared_data, f"faces/obama/{i}.jpg") for i in (1, 2, 3)]

    assert [row["passed"] for row in rows] == [True, True, True]


def test_the_majority_decides_when_the_first_photo_was_someone_else(client, sync_queue, shared_data):
    first = _give(client, shared_data, "faces/biden/1.jpg")
    _give(client, shared_data, "faces/obama/1.jpg")
    _give(client, shared_data, "faces/obama/2.jpg")

    assert first["passed"] is True  # alone, it was fine
    assert client.get(f"/photos/{first['id']}.json").json()["photo"]["passed"] is False


def test_a_photo_of_the_group_deleted_before_the_check_runs_is_left_out(alice, client, sync_queue, shared_data):
    first = _give(client, shared_data, "faces/obama/1.jpg")
    second = _give(client, shared_data, "faces/obama/2.jpg")
    new, gone = Photo.objects.get(id=second["id"]), Photo.objects.get(id=first["id"])

    with transaction.atomic():  # the job runs on commit, after the delete
        job = photos_check_submit(owner=alice.user, photos=[new], against=[gone])
        gone.delete()

    job.refresh_from_db()
    assert job.state == "succeeded" and [c["photo"] for c in job.result["check_results"]] == [new.id]


def test_a_photo_with_glasses_passes_with_advice(client, sync_queue, shared_data):
    row = _give(client, shared_data, "faces/sundar_pichai/1.jpg")

    assert row["passed"] is True
    assert any(reason.startswith("Glasses:") for reason in row["reasons"])


def test_the_new_avatar_page_shows_a_passed_photos_advice(client, sync_queue, shared_data):
    _give(client, shared_data, "faces/sundar_pichai/1.jpg")

    page = client.get("/avatars/new/").content.decode()

    assert 'class="reasons advice"' in page and "Glasses:" in page


def test_the_avatar_page_shows_a_used_photos_advice(alice):
    alice.photo.check_result = {"code": 1, "message": "success", "reasons": ["Glasses: photos without them ..."]}
    alice.photo.save(update_fields=["check_result"])

    page = logged_in(alice.user).get(f"/avatars/{alice.avatar.model_id}/").content.decode()

    assert 'class="reasons advice"' in page and "Glasses: photos without them" in page
