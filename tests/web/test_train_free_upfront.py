"""Train-free photos are checked when they are given: a bad one is refused with its reason, and no job,
photo or charge is left behind."""
from __future__ import annotations

import pytest

from jobs.models import Job
from studio.portraits.models import Photo, PhotoOrigin

from .conftest import logged_in, upload

pytestmark = pytest.mark.django_db(transaction=True)


def _post(alice, content: bytes, name: str):
    client = logged_in(alice.user)
    return client.post("/create/train-free/", {"photos": [upload(content, name)], "template": alice.template.pk,
                                               "n": 1}, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _nothing_left(alice) -> bool:
    return (not Job.objects.filter(owner=alice.user, kind="create").exclude(id=alice.job.id).exists()
            and not Photo.objects.filter(owner=alice.user, origin=PhotoOrigin.TRAIN_FREE).exists())


def test_a_text_file_named_jpg_is_refused_at_upload(alice, sync_queue):
    response = _post(alice, b"just some text, not a photo", "selfie.jpg")

    assert any("selfie.jpg" in message for message in _messages(response))
    assert _nothing_left(alice)


def test_a_photo_without_a_face_is_refused_at_upload_with_its_reason(alice, sync_queue, shared_data):
    response = _post(alice, (shared_data / "no_face/coffee.png").read_bytes(), "coffee.png")

    (message,) = [m for m in _messages(response) if "coffee.png" in m]
    assert message.startswith("Some photos cannot be used: coffee.png: ")
    assert _nothing_left(alice)


def test_a_good_photo_goes_on_to_a_creation(alice, sync_queue, shared_data):
    _post(alice, (shared_data / "faces/obama/1.jpg").read_bytes(), "me.jpg")

    assert Job.objects.filter(owner=alice.user, kind="create").exclude(id=alice.job.id).exists()
