"""A worker killed in the middle of a job: the reaper re-queues the job and it finishes once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.services import user_get_or_create
from engine.identity import avatar_load
from jobs.models import Job, JobState
from jobs.services import jobs_reap
from studio.portraits.artifacts import artifact_local
from studio.portraits.models import Avatar, AvatarStatus, Photo
from studio.portraits.services.avatars import avatar_train_submit
from tests.e2e.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _photos(owner, folder) -> list[Photo]:
    photos = []
    for position, path in enumerate(sorted(folder.glob("*.jpg"))):
        photo = Photo(owner=owner, position=position)
        photo.image.save(path.name, ContentFile(path.read_bytes()), save=True)
        photos.append(photo)
    return photos


def _state(job_id: int) -> Job:
    return Job.objects.get(id=job_id)


def test_killed_workers_job_is_requeued_by_reaper_and_finishes_once(shared_data, start_worker, settings):
    owner = user_get_or_create(email="owner@example.com")[0]
    avatar, job = avatar_train_submit(owner=owner, photos=_photos(owner, shared_data / "faces/john_salley"))
    doomed = start_worker()
    wait_for(lambda: _state(job.id).state == JobState.RUNNING, timeout=90, what="the first worker to claim the job",
             workers=[doomed])

    doomed.kill()

    assert _state(job.id).state == JobState.RUNNING  # nobody is left to say otherwise
    after_lease = timezone.now() + timedelta(seconds=settings.STUDIO_JOB_LEASE + 1)
    assert jobs_reap(now=after_lease).requeued == [job.id]
    survivor = start_worker()
    finished = wait_for(lambda: _state(job.id).is_final and _state(job.id), timeout=120, what="the second attempt",
                        workers=[doomed, survivor])
    assert finished.state == JobState.SUCCEEDED
    assert finished.attempts == 2
    avatar.refresh_from_db()
    assert avatar.status == AvatarStatus.READY
    assert len(avatar_load(artifact_local(avatar=avatar)).faces) == avatar.photos_used > 0
    assert Avatar.objects.filter(owner=owner).count() == 1
