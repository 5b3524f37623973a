"""Deleting on S3: the retention sweep and "delete my data" empty the bucket of what they delete,
and leave every other key (another owner's, a file still kept) where it was."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import Job, JobKind, JobState
from studio.portraits.models import Photo
from studio.portraits.services.privacy import account_delete, avatar_delete
from studio.portraits.services.retention import retention_sweep
from tests.retention.conftest import avatar_with_files, photo

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def account_files(owner) -> None:
    avatar_with_files(owner)
    photo(owner)  # a check request's photo
    default_storage.save(f"inputs/{owner.id}/template.jpg", ContentFile(jpeg()))


def test_retention_deletes_expired_request_photos_from_the_bucket(bucket, owner):
    expired = photo(owner)

    assert retention_sweep(now=timezone.now() + timedelta(days=2)).request_photos == 1

    assert expired.image.name not in bucket.keys()
    assert not Photo.objects.filter(id=expired.id).exists()


def test_retention_deletes_trained_avatars_photos_but_keeps_the_reference(bucket, owner):
    avatar = avatar_with_files(owner)
    reference = Photo.objects.get(avatar=avatar, is_reference=True)
    training = Photo.objects.get(avatar=avatar, is_reference=False)

    assert retention_sweep().training_photos == 1

    photos = bucket.keys("photos/")
    assert reference.image.name in photos and training.image.name not in photos


def test_retention_deletes_expired_input_files_from_the_bucket_but_not_one_a_job_waits_for(bucket, owner):
    done = default_storage.save(f"inputs/{owner.id}/done.jpg", ContentFile(b"template"))
    waiting = default_storage.save(f"inputs/{owner.id}/waiting.jpg", ContentFile(b"template"))
    Job.objects.create(owner=owner, kind=JobKind.CREATE, state=JobState.SUCCEEDED, input={"template": done})
    Job.objects.create(owner=owner, kind=JobKind.CREATE, state=JobState.QUEUED, input={"template": waiting})

    assert retention_sweep(now=timezone.now() + timedelta(hours=2)).input_files == 0
    assert retention_sweep(now=timezone.now() + timedelta(days=2)).input_files == 1

    assert bucket.keys("inputs/") == {waiting}


def test_avatar_delete_empties_its_keys_and_leaves_the_owners_other_avatar(bucket, owner,
                                                                          django_capture_on_commit_callbacks):
    gone = avatar_with_files(owner)
    kept = avatar_with_files(owner)
    kept_keys = {p.image.name for p in kept.photos.all()} | {f"{kept.artifact}/avatar.json",
                                                            f"{kept.artifact}/faces/0.npy"}

    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion commits
        avatar_delete(avatar=gone)

    assert not bucket.keys(f"avatars/{owner.id}/{gone.model_id}/")
    assert kept_keys <= bucket.keys()
    assert len(bucket.keys("portraits/")) == 1  # the kept avatar's


@pytest.mark.slow  # a second: two accounts' files written, listed and deleted over HTTP
def test_account_delete_empties_the_owners_keys_and_leaves_other_owners(bucket, owner, other,
                                                                       django_capture_on_commit_callbacks):
    account_files(owner)
    account_files(other)
    others = {key for key in bucket.keys() if key.split("/")[1] == str(other.id)}

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=owner)

    assert bucket.keys() == others
    assert len(others) == 7  # the other owner's 3 photos, portrait, 2 artifact files and input file
