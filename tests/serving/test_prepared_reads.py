"""studio.lib.prepared: a values() read compiled once answers as the queryset itself would."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from jobs.models import Job, JobKind, JobState
from studio.lib.prepared import PreparedValues

FIELDS = ("id", "state", "result", "finished_at", "owner__email")


def _job_of(*, owner_id: int, job_id: int):
    return Job.objects.filter(id=job_id, owner_id=owner_id, owner__is_active=True).values(*FIELDS)[:1]


@pytest.fixture
def jobs(owner):
    return [Job.objects.create(owner=owner, kind=JobKind.CREATE, state=JobState.SUCCEEDED,
                               result={"images": [{"name": f"p/{i}.jpg"}]}, finished_at=timezone.now())
            for i in range(3)]


def test_prepared_read_is_the_querysets_row(owner, jobs):
    read = PreparedValues(_job_of, arguments={"owner_id": int, "job_id": int})

    for job in jobs:  # the same compiled SQL, each time with other values
        assert read.first(owner_id=owner.id, job_id=job.id) == _job_of(owner_id=owner.id, job_id=job.id).get()


def test_prepared_read_without_a_row_is_none(owner, jobs):
    read = PreparedValues(_job_of, arguments={"owner_id": int, "job_id": int})

    assert read.first(owner_id=owner.id + 1, job_id=jobs[0].id) is None


def test_prepared_read_keeps_the_querysets_own_conditions(owner, jobs):
    read = PreparedValues(_job_of, arguments={"owner_id": int, "job_id": int})
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert read.first(owner_id=owner.id, job_id=jobs[0].id) is None


def test_prepared_read_refuses_an_argument_it_does_not_use(db):
    read = PreparedValues(lambda *, job_id, owner_id: Job.objects.filter(id=job_id).values("id")[:1],
                          arguments={"job_id": int, "owner_id": int})

    with pytest.raises(ImproperlyConfigured, match="owner_id"):
        read.first(job_id=1, owner_id=1)


def test_prepared_read_needs_values(db):
    read = PreparedValues(lambda *, job_id: Job.objects.filter(id=job_id)[:1], arguments={"job_id": int})

    with pytest.raises(ImproperlyConfigured, match="values"):
        read.first(job_id=1)


def test_prepared_read_takes_text_arguments(owner, jobs):
    read = PreparedValues(lambda *, email: Job.objects.filter(owner__email=email).values("id").order_by("id")[:1],
                          arguments={"email": str})

    assert read.first(email=owner.email) == {"id": jobs[0].id}
    assert read.first(email="nobody@example.com") is None
