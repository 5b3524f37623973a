"""The studio's extension of PAI's create for a front studio (engine/remote): ``n`` portraits in one
call, answered in ``images`` (best first) beside PAI's own ``image``; PAI's SDKs never send it."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from skimage import data

from jobs.models import JobState
from tests.images import encoded

pytestmark = pytest.mark.django_db(transaction=True)  # the create job is queued, and so run, at commit
CREATE = "/api/v1/aigc_images/create"


@pytest.fixture
def two_face_avatar(partner, sync_queue):
    """The astronaut and her mirror image: two distinct reference faces, two distinct portraits."""
    from django.core.files.base import ContentFile

    from studio.portraits.models import Photo
    from studio.portraits.services.avatars import avatar_train_submit

    owner = partner.credential.owner
    photos = []
    for position, pixels in enumerate((data.astronaut(), np.ascontiguousarray(data.astronaut()[:, ::-1]))):
        photo = Photo(owner=owner, position=position)
        photo.image.save(f"a{position}.jpg", ContentFile(encoded(pixels)), save=True)
        photos.append(photo)
    avatar, training = avatar_train_submit(owner=owner, photos=photos)  # run at once: autocommit, sync queue
    training.refresh_from_db()
    assert training.state == JobState.SUCCEEDED
    return avatar


@pytest.fixture(autouse=True)
def loopback_allowed(settings) -> None:
    settings.STUDIO_ALLOW_PRIVATE_URLS = True  # the image server is on loopback
    settings.STUDIO_SYNC_WAIT = 60


def _create(pai, image_server, avatar, **extra) -> dict:
    return pai(CREATE, json.dumps({"template_image": f"{image_server}/astronaut.jpg",
                                   "model_id": str(avatar.model_id), **extra}))


def test_n_portraits_come_back_in_images_best_first(pai, image_server, two_face_avatar):
    answer = _create(pai, image_server, two_face_avatar, n=2)

    assert answer["code"] == "OK", answer
    images = answer["data"]["images"]
    assert len(images) == 2 and images[0] == answer["data"]["image"]
    assert base64.b64decode(images[0]) != base64.b64decode(images[1])


def test_without_n_the_answer_is_pais_own(pai, image_server, two_face_avatar):
    answer = _create(pai, image_server, two_face_avatar)

    assert answer["code"] == "OK" and "images" not in answer["data"]


@pytest.mark.parametrize("n", [0, 5, "2", True, 1.5])
def test_an_n_out_of_range_or_not_whole_is_invalid_input(pai, image_server, two_face_avatar, n):
    answer = _create(pai, image_server, two_face_avatar, n=n)

    assert answer["code"] == "error" and "n must be a whole number from 1 to 4" in answer["message"]
