"""A create job asked for more portraits than the avatar gives distinct ones: fewer images, the job
says why, and billing's capture charges only the images made.

The avatar is trained from two photos: the astronaut and the same photo mirrored, two distinct
reference faces (their portraits' face SSIM is 0.74); asked for 4, it gives 2.
"""
from __future__ import annotations

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from skimage import data

from accounts.services import user_get_or_create
from billing.models import Account, LedgerEntry
from billing.pricing import price_of
from billing.services import ledger_adjust
from jobs.models import JobState
from jobs.services import job_run
from studio.api.native.serializers import JobSerializer
from studio.portraits.models import Photo, Portrait
from studio.portraits.services.avatars import avatar_train_submit
from studio.portraits.services.portraits import portrait_create_submit
from tests.engine.conftest import _matplotlib_sample
from tests.images import encoded as jpeg

pytestmark = pytest.mark.django_db
NOTE = "2 of 4 made: the avatar has only 2 distinct reference faces."


def two_face_avatar(owner):
    astronaut = data.astronaut()
    photos = []
    for position, pixels in enumerate((astronaut, np.ascontiguousarray(astronaut[:, ::-1]))):
        photo = Photo(owner=owner, position=position)
        photo.image.save(f"astronaut_{position}.jpg", ContentFile(jpeg(pixels)), save=True)
        photos.append(photo)
    avatar, training = avatar_train_submit(owner=owner, photos=photos)
    assert job_run(job_id=training.id).state == JobState.SUCCEEDED
    avatar.refresh_from_db()
    return avatar


@pytest.fixture
def paying_owner():
    """A customer without trial creations and with 100 points: creations are paid in points."""
    owner = user_get_or_create(email="owner@example.com")[0]
    account = Account.objects.get(user=owner)
    ledger_adjust(account=account, points=100, trial_creations=-account.trial_creations,
                  reason="points, no trial creations, for this test", kind="grant")
    return owner


@pytest.fixture
def hopper_template() -> bytes:
    """matplotlib's 512 x 600 photo of Grace Hopper: a small one-face template, no download."""
    path = _matplotlib_sample("grace_hopper.jpg")
    if path is None:
        pytest.skip("matplotlib's sample photo grace_hopper.jpg is not installed")
    return path.read_bytes()


@pytest.fixture
def created(paying_owner, hopper_template):
    avatar = two_face_avatar(paying_owner)
    available = Account.objects.get(user=paying_owner).available
    template = default_storage.save("inputs/test/hopper.jpg", ContentFile(hopper_template))
    job = job_run(job_id=portrait_create_submit(owner=paying_owner, avatars=[avatar], template=template, n=4).id)
    return job, available


def test_create_for_4_with_an_avatar_of_2_distinct_faces_makes_2_portraits(created):
    job, _ = created

    assert job.state == JobState.SUCCEEDED, job.error_message
    assert Portrait.objects.filter(job=job).count() == 2 and len(job.result["images"]) == 2


def test_create_with_fewer_portraits_says_why_in_its_result_and_the_native_api(created):
    job, _ = created

    assert job.result["note"] == NOTE
    assert JobSerializer(job).data["note"] == NOTE


def test_create_with_fewer_portraits_charges_only_the_portraits_made(created, paying_owner):
    job, available = created

    account = Account.objects.get(user=paying_owner)
    assert (available - account.available, account.reserved) == (2 * price_of("create_solo"), 0)
    assert LedgerEntry.objects.filter(job=job, reference=f"job:{job.id}:unmade").get().points == \
        2 * price_of("create_solo")


def test_portraits_of_a_small_template_are_1024_px_in_the_gallery(created):
    job, _ = created

    for portrait in Portrait.objects.filter(job=job):
        assert max(portrait.width, portrait.height) == 1024


def test_portrait_warnings_reach_the_gallery_row(created):
    # Grace Hopper at 79 against a 40-year-old astronaut: the apparent-age heuristic warns.
    job, _ = created

    for portrait, image in zip(Portrait.objects.filter(job=job).order_by("rank"), job.result["images"]):
        assert portrait.warnings == image["warnings"] and any("older" in w for w in portrait.warnings)


def test_create_with_fewer_portraits_says_why_in_the_pai_result_document(created):
    import json

    from studio.api.pai_wire import job_result

    job, _ = created

    assert json.loads(job_result(job))["note"] == NOTE
    assert json.loads(job_result(job))["images"] == 2


def test_each_portrait_says_what_was_found_in_front_of_its_faces_in_the_native_api(created):
    job, _ = created

    images = JobSerializer(job).data["images"]
    assert [image["occluders"] for image in images] == [image["occluders"] for image in job.result["images"]]
    assert all(isinstance(image["occluders"], list) for image in images)
