"""Which django-q2 queue a job goes to (one cluster by default, cpu and gpu clusters when split),
and what a broker outage does to a submission: nothing made before the commit, the reaper after."""
from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_get_or_create
from jobs.models import Job, JobKind, JobState
from jobs.queue import QueueUnavailable
from jobs.services import job_submit, jobs_reap
from tests.conftest import broker_outage

pytestmark = pytest.mark.django_db


def _queue_of(kind: JobKind, capture, queues) -> str:
    owner = user_get_or_create(email="owner@example.com")[0]
    with capture(execute=True):
        job_submit(owner=owner, kind=kind, payload={})
    (name,) = [name for name in queues.NAMES if queues.size(name)]
    return name


def test_every_kind_goes_to_the_default_cluster(django_capture_on_commit_callbacks, queues):
    assert _queue_of(JobKind.TRAIN, django_capture_on_commit_callbacks, queues) == "studio"


@pytest.mark.parametrize(("kind", "queue"), [(JobKind.CHECK, "cpu"), (JobKind.TRAIN, "gpu"), (JobKind.CREATE, "gpu")])
def test_split_clusters_route_kinds_to_their_cluster(django_capture_on_commit_callbacks, queues, settings, kind, queue):
    settings.STUDIO_SPLIT_CLUSTERS = True

    assert _queue_of(kind, django_capture_on_commit_callbacks, queues) == queue


def test_job_whose_enqueue_failed_after_commit_is_sent_by_the_reaper(django_capture_on_commit_callbacks, queues,
                                                                     settings):
    owner = user_get_or_create(email="owner@example.com")[0]
    with ExitStack() as outage:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_submit(owner=owner, kind=JobKind.TRAIN, payload={})
            outage.enter_context(broker_outage())  # the broker dies between the submission's check and its commit
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and queues.size() == 0

    report = jobs_reap(now=timezone.now() + timedelta(seconds=settings.STUDIO_JOB_LEASE + 1))

    assert report.reenqueued == [job.id] and queues.size() == 1


def test_reaper_leaves_queued_jobs_for_its_next_pass_while_the_broker_is_down(queues, settings):
    owner = user_get_or_create(email="owner@example.com")[0]
    Job.objects.create(owner=owner, kind=JobKind.TRAIN, input={})
    later = timezone.now() + timedelta(seconds=settings.STUDIO_JOB_LEASE + 1)

    with broker_outage():
        during = jobs_reap(now=later)
    after = jobs_reap(now=later + timedelta(seconds=settings.STUDIO_JOB_LEASE + 1))

    assert during.reenqueued == [] and len(after.reenqueued) == 1 and queues.size() == 1


def test_submission_while_the_broker_is_down_creates_nothing(queues, broker_down):
    owner = user_get_or_create(email="owner@example.com")[0]

    with pytest.raises(QueueUnavailable):
        job_submit(owner=owner, kind=JobKind.TRAIN, payload={})

    assert not Job.objects.exists()
