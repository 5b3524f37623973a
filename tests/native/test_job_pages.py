"""The native job list pages through prepared reads (studio.portraits.selectors.JobPages) exactly as
DRF's CursorPagination pages the ORM's queryset of the same jobs."""
from __future__ import annotations

import base64
import gc
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from jobs.models import Job, JobKind, JobState
from studio.api.native.pagination import NewestFirst
from studio.portraits.models import Avatar, AvatarJob
from studio.portraits.selectors import JOBS_NEWEST, job_pages_for
from studio.portraits.services.jobs import job_avatar

from .conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(owner, stranger):
    """Nine jobs of the owner's, three of them made in the same microsecond (a page boundary falls
    among them at page size 2), of two kinds and states, one with an avatar; one of a stranger's."""
    now = timezone.now()
    moments = [now - timedelta(seconds=s) for s in (9, 8, 7, 7, 7, 5, 4, 3, 2)]
    kinds = [JobKind.CREATE, JobKind.CHECK] * 5
    made = [Job.objects.create(owner=owner, kind=kinds[i], state=JobState.SUCCEEDED if i % 3 else JobState.FAILED,
                               created_at=moment, result={"images": []}) for i, moment in enumerate(moments)]
    avatar = Avatar.objects.create(owner=owner, name="ann")
    AvatarJob.objects.create(job=made[4], avatar=avatar)
    Job.objects.create(owner=stranger, kind=JobKind.CREATE, state=JobState.SUCCEEDED, created_at=now)
    return made


def _orm_jobs(owner, **filters):
    jobs = Job.objects.filter(owner=owner, **filters).select_related("avatar_link__avatar")
    return jobs.order_by(*JOBS_NEWEST)


def _page(pages_or_queryset, url: str):
    request = Request(APIRequestFactory().get(url, HTTP_HOST="testserver"))
    paginator = NewestFirst()
    page = paginator.paginate_queryset(pages_or_queryset, request)
    return [job.id for job in page], paginator.get_next_link(), paginator.get_previous_link()


@pytest.mark.parametrize("filters", [{}, {"kind": JobKind.CREATE}, {"state": JobState.SUCCEEDED},
                                     {"kind": JobKind.CHECK, "state": JobState.FAILED}])
def test_every_page_forward_and_back_is_the_orms(owner, jobs, filters):
    url, seen = f"http://testserver{API}/jobs/?page_size=2", []
    while url:  # forward
        prepared = _page(job_pages_for(owner=owner, **filters), url)
        assert prepared == _page(_orm_jobs(owner, **filters), url)
        seen += prepared[0]
        last, url = url, prepared[1]
    assert seen == list(_orm_jobs(owner, **filters).values_list("id", flat=True))
    url = _page(job_pages_for(owner=owner, **filters), last)[2]
    while url:  # and back
        prepared = _page(job_pages_for(owner=owner, **filters), url)
        assert prepared == _page(_orm_jobs(owner, **filters), url)
        url = prepared[2]


def test_a_listed_job_carries_its_avatar(owner, jobs):
    listed = job_pages_for(owner=owner).order_by(*JOBS_NEWEST)[0:20]

    with_avatar = next(job for job in listed if job.id == jobs[4].id)
    assert with_avatar.avatar_link.avatar.model_id == Avatar.objects.get(owner=owner).model_id
    with CaptureQueriesContext(connection) as queries:
        assert job_avatar(next(job for job in listed if job.id == jobs[0].id)) is None
    assert not queries.captured_queries


@pytest.fixture
def collector_paused():
    """The garbage collector off, keeping what it finds in gc.garbage: what is left there after a
    request could only have been freed by a collection, whose pauses stall a worker's requests."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    yield
    gc.set_debug(0)
    gc.garbage.clear()
    gc.enable()


def _collected_jobs() -> list[Job]:
    gc.collect()
    return [thing for thing in gc.garbage if isinstance(thing, Job)]


def test_a_listed_job_with_its_avatar_is_freed_without_the_collector(owner, jobs, collector_paused):
    listed = job_pages_for(owner=owner).order_by(*JOBS_NEWEST)[0:20]
    assert job_avatar(next(job for job in listed if job.id == jobs[4].id)) is not None

    del listed

    assert _collected_jobs() == []


def test_the_job_list_leaves_its_page_to_reference_counting(api, jobs, collector_paused):
    response = api.get(f"{API}/jobs/")
    assert response.status_code == 200 and len(response.json()["results"]) == 9

    del response

    assert _collected_jobs() == []


def test_the_job_list_answers_in_one_query_for_its_page(api, jobs):
    api.get(f"{API}/jobs/")  # compiles the page's read and authenticates once

    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/jobs/")

    assert response.status_code == 200 and len(response.json()["results"]) == 9
    jobs_read = [query for query in queries.captured_queries if "jobs_job" in query["sql"] or "avatar" in query["sql"]]
    assert len(jobs_read) == 1


@pytest.mark.parametrize("listed", ["jobs", "portraits", "avatars"])
def test_a_cursor_with_a_forged_position_is_404_in_the_error_shape(api, jobs, listed):
    cursor = base64.b64encode(b"o=0&p=not-a-date").decode()

    response = api.get(f"{API}/{listed}/", {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_cursor_with_a_position_without_a_zone_is_404(api, jobs):
    cursor = base64.b64encode(b"o=0&p=2026-12-03 10:00:00").decode()

    response = api.get(f"{API}/jobs/", {"cursor": cursor})

    assert response.status_code == 404
