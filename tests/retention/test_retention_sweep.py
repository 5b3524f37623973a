"""The retention schedule with a moved clock: storage really emptied, rows gone, others untouched."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_q.models import Schedule

from jobs.models import Job, JobKind, JobState
from studio.portraits.models import Avatar, AvatarStatus, Photo, Portrait
from studio.portraits.services.retention import retention_sweep

from .conftest import avatar_with_files, photo, stored_files

pytestmark = pytest.mark.django_db


def test_training_photos_go_once_trained_but_the_reference_stays(owner, media):
    avatar = avatar_with_files(owner)
    reference = Photo.objects.get(avatar=avatar, is_reference=True)
    other_photo = Photo.objects.get(avatar=avatar, is_reference=False)
    training = Avatar.objects.create(owner=owner, status=AvatarStatus.TRAINING)
    in_training = photo(owner, training)

    assert retention_sweep().training_photos == 1

    assert list(Photo.objects.filter(avatar=avatar)) == [reference]
    files = stored_files(media)
    assert other_photo.image.name not in files
    assert {reference.image.name, in_training.image.name} <= files


def test_training_photos_kept_n_days_when_so_configured(owner, media, settings):
    settings.STUDIO_RETENTION_TRAINING_PHOTOS = "7"
    avatar = avatar_with_files(owner)

    assert retention_sweep(now=timezone.now() + timedelta(days=6)).training_photos == 0
    assert retention_sweep(now=timezone.now() + timedelta(days=8)).training_photos == 1
    assert Photo.objects.filter(avatar=avatar).count() == 1


def test_photos_of_check_requests_go_after_a_day(owner, media):
    checked = photo(owner)

    assert retention_sweep(now=timezone.now() + timedelta(hours=23)).request_photos == 0
    assert retention_sweep(now=timezone.now() + timedelta(hours=25)).request_photos == 1
    assert not Photo.objects.filter(id=checked.id).exists()
    assert checked.image.name not in stored_files(media)


def test_job_input_files_go_after_a_day_unless_a_job_still_waits_for_them(owner, media):
    done = default_storage.save(f"inputs/{owner.id}/done.jpg", ContentFile(b"template"))
    waiting = default_storage.save(f"inputs/{owner.id}/waiting.jpg", ContentFile(b"template"))
    Job.objects.create(owner=owner, kind=JobKind.CREATE, state=JobState.SUCCEEDED, input={"template": done})
    Job.objects.create(owner=owner, kind=JobKind.CREATE, state=JobState.QUEUED, input={"template": waiting})

    assert retention_sweep(now=timezone.now() + timedelta(hours=2)).input_files == 0
    assert retention_sweep(now=timezone.now() + timedelta(days=2)).input_files == 1
    assert stored_files(media) == {waiting}


def test_unused_avatar_goes_with_its_files_and_a_used_one_stays(owner, other, media, settings,
                                                               django_capture_on_commit_callbacks):
    days = settings.STUDIO_RETENTION_AVATAR_UNUSED_DAYS
    old = avatar_with_files(owner)
    kept = avatar_with_files(owner)
    theirs = avatar_with_files(other)
    later = timezone.now() + timedelta(days=days + 1)
    Avatar.objects.filter(id=kept.id).update(last_used_at=later - timedelta(days=1))
    before = stored_files(media)

    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion commits
        report = retention_sweep(now=later)

    assert report.avatars == 2  # old, and the other account's (equally unused)
    assert set(Avatar.objects.all()) == {kept}
    assert Portrait.objects.filter(avatars=kept).count() == 1
    after = stored_files(media)
    assert not any(name.startswith(old.artifact) or name.startswith(theirs.artifact) for name in after)
    assert any(name.startswith(kept.artifact) for name in after) and after < before


def test_unused_avatars_kept_forever_with_zero(owner, media, settings):
    settings.STUDIO_RETENTION_AVATAR_UNUSED_DAYS = 0
    avatar_with_files(owner)
    assert retention_sweep(now=timezone.now() + timedelta(days=3650)).avatars == 0


def test_gallery_portraits_are_kept(owner, media):
    from .conftest import jpeg

    portrait = Portrait(owner=owner)
    portrait.image.save("x.jpg", ContentFile(jpeg()), save=False)
    portrait.save()

    retention_sweep(now=timezone.now() + timedelta(days=3650))
    assert Portrait.objects.filter(id=portrait.id).exists() and portrait.image.name in stored_files(media)


def test_sweep_is_scheduled_and_its_task_runs(owner, media):
    from studio.portraits.tasks import sweep_retention

    schedule = Schedule.objects.get(name="retention sweep")
    assert schedule.func == "studio.portraits.tasks.sweep_retention" and schedule.repeats == -1
    assert Schedule.objects.get(name="deliver webhooks").func == "studio.webhooks.tasks.sweep_webhooks"
    assert sweep_retention() == {"training_photos": 0, "request_photos": 0, "input_files": 0, "avatars": 0}


def test_stale_input_file_mtime_is_what_counts(owner, media):
    name = default_storage.save(f"inputs/{owner.id}/old.jpg", ContentFile(b"x"))
    past = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(name), (past, past))

    assert retention_sweep().input_files == 1
