"""Which django-q2 queue a job goes to: one cluster by default, cpu and gpu clusters when split."""
from __future__ import annotations

import pytest

from accounts.services import user_get_or_create
from jobs.models import JobKind
from jobs.services import job_submit

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
