"""studio.lib.prepared: a read compiled once answers as the queryset itself would."""
from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from jobs.models import Job, JobKind, JobState
from studio.lib.prepared import PreparedObjects, PreparedValues
from studio.portraits.models import Avatar

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


def _jobs_before(*, owner_id: int, moment):
    return Job.objects.filter(owner_id=owner_id, created_at__lt=moment).order_by("-created_at", "-id").values("id")


def test_prepared_rows_are_the_querysets_slice(owner, jobs):
    read = PreparedValues(_jobs_before, arguments={"owner_id": int, "moment": datetime})
    moment = timezone.now() + timedelta(days=1)

    for offset, limit in ((0, 2), (1, 2), (2, 5)):
        assert read.rows(limit=limit, offset=offset, owner_id=owner.id, moment=moment) == list(
            _jobs_before(owner_id=owner.id, moment=moment)[offset:offset + limit])


def test_prepared_rows_compare_datetimes_as_the_orm_does(owner, jobs):
    read = PreparedValues(_jobs_before, arguments={"owner_id": int, "moment": datetime})
    newest = Job.objects.get(id=jobs[-1].id).created_at

    assert [row["id"] for row in read.rows(limit=10, owner_id=owner.id, moment=newest)] == [
        job.id for job in reversed(jobs[:-1])]


def test_prepared_rows_refuse_a_datetime_without_a_zone(owner, jobs):
    read = PreparedValues(_jobs_before, arguments={"owner_id": int, "moment": datetime})

    with pytest.raises(ValueError, match="aware"):
        read.rows(limit=1, owner_id=owner.id, moment=datetime(2026, 12, 3, 10, 0))


def test_prepared_rows_refuse_a_sliced_queryset(owner, jobs):
    read = PreparedValues(lambda *, owner_id: Job.objects.filter(owner_id=owner_id).values("id")[:1],
                          arguments={"owner_id": int})

    with pytest.raises(ImproperlyConfigured, match="slices"):
        read.rows(limit=1, owner_id=owner.id)


def test_prepared_objects_are_the_querysets_instances(owner, jobs):
    read = PreparedObjects(lambda *, owner_id: Job.objects.filter(owner_id=owner_id).order_by("id"),
                           arguments={"owner_id": int})

    made = read.rows(limit=2, offset=1, owner_id=owner.id)

    expected = list(Job.objects.filter(owner_id=owner.id).order_by("id")[1:3])
    assert made == expected  # the same rows, as model instances
    assert [job.result for job in made] == [job.result for job in expected]  # JSON decoded as the ORM does
    assert [job.finished_at for job in made] == [job.finished_at for job in expected]
    assert not made[0]._state.adding and made[0]._state.db == "default"


def test_prepared_object_loads_its_relations_on_use(owner, jobs):
    read = PreparedObjects(lambda *, job_id: Job.objects.filter(id=job_id)[:1], arguments={"job_id": int})

    assert read.first(job_id=jobs[0].id).owner == owner


def test_prepared_objects_take_a_uuid_argument(owner):
    avatar = Avatar.objects.create(owner=owner, name="me")
    read = PreparedObjects(lambda *, owner_id, model_id: Avatar.objects.filter(
        owner_id=owner_id, model_id=model_id)[:1], arguments={"owner_id": int, "model_id": UUID})

    assert read.first(owner_id=owner.id, model_id=avatar.model_id) == avatar
    assert read.first(owner_id=owner.id, model_id=uuid4()) is None


def test_prepared_objects_refuse_select_related(db):
    read = PreparedObjects(lambda *, job_id: Job.objects.filter(id=job_id).select_related("owner")[:1],
                           arguments={"job_id": int})

    with pytest.raises(ImproperlyConfigured, match="select_related"):
        read.first(job_id=1)


@pytest.mark.django_db(transaction=True)  # autocommit, as a request outside any atomic block
def test_prepared_locking_read_refuses_autocommit(owner, jobs):
    read = PreparedObjects(lambda *, job_id: Job.objects.select_for_update().filter(id=job_id)[:1],
                           arguments={"job_id": int})

    with pytest.raises(TransactionManagementError, match="outside of a transaction"):
        read.first(job_id=jobs[0].id)


def test_prepared_locking_read_locks_inside_a_transaction(owner, jobs):
    read = PreparedObjects(lambda *, job_id: Job.objects.select_for_update().filter(id=job_id)[:1],
                           arguments={"job_id": int})

    with transaction.atomic():
        assert read.first(job_id=jobs[0].id) == jobs[0]
