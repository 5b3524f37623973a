"""The job state machine, driven through its services as a worker would (no worker process)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jobs.handlers import Outcome
from jobs.models import Job, JobKind, JobState
from jobs.services import (
    JobAbandoned,
    ProgressReporter,
    job_cancel,
    job_claim,
    job_run,
    job_submit,
    job_succeed,
    jobs_reap,
)
from studio.portraits.models import Avatar, AvatarStatus, Photo
from studio.portraits.services.avatars import avatar_train_submit

pytestmark = pytest.mark.django_db



def _job(owner, **fields) -> Job:
    return Job.objects.create(owner=owner, kind=JobKind.CHECK, input={"photos": []}, **fields)


def _expire(job: Job) -> None:
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_claim_is_granted_to_one_delivery_only(owner):
    job = _job(owner)
    assert job_claim(job_id=job.id) is not None
    assert job_claim(job_id=job.id) is None
    assert Job.objects.get(id=job.id).attempts == 1


def test_duplicate_delivery_of_finished_job_changes_nothing(owner):
    job = _job(owner, state=JobState.SUCCEEDED, result={"kept": True})
    assert job_run(job_id=job.id) is None
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.result == {"kept": True} and job.attempts == 0


def test_reaper_requeues_expired_lease_once(owner, queues, django_capture_on_commit_callbacks):
    job = job_claim(job_id=_job(owner).id)
    _expire(job)
    with django_capture_on_commit_callbacks(execute=True):
        first = jobs_reap()
    second = jobs_reap()
    assert first.requeued == [job.id] and second.requeued == []
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.lease_expires_at is None
    assert queues.size() == 1


def test_reaper_leaves_running_job_with_live_lease_alone(owner):
    job = job_claim(job_id=_job(owner).id)
    assert jobs_reap().requeued == []
    assert Job.objects.get(id=job.id).state == JobState.RUNNING


def test_reaper_fails_job_after_max_attempts(owner, settings):
    job = job_claim(job_id=_job(owner, attempts=settings.STUDIO_JOB_MAX_ATTEMPTS - 1).id)
    _expire(job)
    assert jobs_reap().failed == [job.id]
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error_code == "worker_lost"
    assert "interrupted 3 times" in job.error_message


def test_reaper_skips_a_job_it_cannot_reap_and_reaps_the_rest(owner, settings, caplog):
    # A kind no handler knows (a row from a newer release, say): failing it raises in the handler.
    broken = job_claim(job_id=_job(owner, attempts=settings.STUDIO_JOB_MAX_ATTEMPTS - 1).id)
    Job.objects.filter(id=broken.id).update(kind="retired-kind")
    fine = job_claim(job_id=_job(owner, attempts=settings.STUDIO_JOB_MAX_ATTEMPTS - 1).id)
    _expire(broken)
    _expire(fine)

    assert jobs_reap().failed == [fine.id]

    assert Job.objects.get(id=broken.id).state == JobState.RUNNING  # tried again on the next pass
    assert "could not reap job" in caplog.text


def test_late_worker_cannot_finish_a_reaped_job(owner):
    first = job_claim(job_id=_job(owner).id)
    _expire(first)
    jobs_reap()
    second = job_claim(job_id=first.id)
    discarded = []
    late = Outcome(result={"from": "first"}, on_discard=lambda: discarded.append(True))
    assert job_succeed(job=first, outcome=late, cost_time=1.0) is False
    assert discarded == [True]
    assert job_succeed(job=second, outcome=Outcome(result={"from": "second"}), cost_time=1.0) is True
    assert Job.objects.get(id=first.id).result == {"from": "second"}


def test_canceled_running_job_stops_at_next_progress_report(owner):
    job = job_claim(job_id=_job(owner).id)
    job_cancel(job=Job.objects.get(id=job.id))
    with pytest.raises(JobAbandoned):
        ProgressReporter(job)(0.5)
    assert Job.objects.get(id=job.id).state == JobState.CANCELED


def test_progress_report_writes_percent_and_renews_lease(owner):
    job = job_claim(job_id=_job(owner).id)
    before = Job.objects.get(id=job.id).lease_expires_at
    ProgressReporter(job)(0.42)
    job.refresh_from_db()
    assert job.progress == 42 and job.lease_expires_at >= before


def test_idempotency_key_returns_the_first_job(owner):
    first = job_submit(owner=owner, kind=JobKind.CHECK, payload={}, idempotency_key="abc")
    second = job_submit(owner=owner, kind=JobKind.CHECK, payload={}, idempotency_key="abc")
    assert first.id == second.id and Job.objects.count() == 1


def test_submit_enqueues_only_after_commit(owner, queues, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job_submit(owner=owner, kind=JobKind.CHECK, payload={})
        assert queues.size() == 0
    assert len(callbacks) == 1 and queues.size() == 1


def test_reaper_resends_job_no_worker_picked_up(owner, queues, settings):
    job = _job(owner)
    Job.objects.filter(id=job.id).update(updated_at=timezone.now() - timedelta(seconds=settings.STUDIO_JOB_LEASE + 5))
    assert jobs_reap().reenqueued == [job.id]
    assert jobs_reap().reenqueued == []
    assert queues.size() == 1


def test_training_on_unusable_photos_fails_with_engine_message(owner):
    photos = []
    for i in range(2):
        photo = Photo(owner=owner, position=i)
        photo.image.save("photo.jpg", ContentFile(b"this is not an image"), save=True)
        photos.append(photo)
    avatar, job = avatar_train_submit(owner=owner, photos=photos)
    job = job_run(job_id=job.id)
    assert job.state == JobState.FAILED
    assert job.error_code == "no_usable_photo"
    assert job.error_message == "all images are invalid"
    assert Avatar.objects.get(id=avatar.id).status == AvatarStatus.FAILED


def test_reaper_is_scheduled_every_minute():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="reap jobs")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == ("jobs.tasks.reap_jobs", "I", 1)


def test_reaper_task_reports_what_it_did(owner):
    from jobs.tasks import reap_jobs

    job = job_claim(job_id=_job(owner).id)
    _expire(job)
    assert reap_jobs() == {"requeued": [job.id], "failed": [], "reenqueued": []}
