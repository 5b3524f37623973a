"""The job query trusts a credential this process read lately (the SDKs poll several times a
second) only together with its own read of the job, which checks that the credential is still
active: a revocation or a deactivation takes effect on the next poll."""
from __future__ import annotations

import json

import pytest

from accounts.services import credential_revoke, user_get_or_create
from jobs.models import Job, JobKind, JobState
from studio.api.pai_auth import NOT_FOUND_APPID
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(partner) -> Job:
    return Job.objects.create(owner=partner.credential.owner, kind=JobKind.TRAIN, app_id=partner.app_id)


def test_job_query_after_the_credential_is_revoked_is_refused(pai, partner, job):
    assert pai(f"/api/v1/async_jobs/{job.id}", b"{}")["code"] == "OK"  # the credential is now read lately
    credential_revoke(owner=partner.credential.owner, app_id=partner.app_id)

    answer = pai(f"/api/v1/async_jobs/{job.id}", b"{}")

    assert (answer["code"], answer["message"]) == ("error", NOT_FOUND_APPID)


def test_job_query_after_the_owner_is_deactivated_is_refused(pai, partner, job):
    assert pai(f"/api/v1/async_jobs/{job.id}", b"{}")["code"] == "OK"
    owner = partner.credential.owner
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    answer = pai(f"/api/v1/async_jobs/{job.id}", b"{}")

    assert (answer["code"], answer["message"]) == ("error", NOT_FOUND_APPID)


def test_job_query_of_a_job_that_is_not_the_callers_is_not_found(pai, partner, job):
    other = Job.objects.create(owner=user_get_or_create(email="other@example.com")[0], kind=JobKind.TRAIN)
    pai(f"/api/v1/async_jobs/{job.id}", b"{}")

    answer = pai(f"/api/v1/async_jobs/{other.id}", b"{}")

    assert (answer["code"], answer["message"]) == ("error", "job not found")


def test_job_query_of_a_trained_avatar_reads_one_row(pai, partner, django_assert_num_queries):
    owner = partner.credential.owner
    avatar = Avatar.objects.create(owner=owner, status=AvatarStatus.READY)
    trained = avatar_job_submit_row(owner=owner, avatar=avatar)
    pai(f"/api/v1/async_jobs/{trained.id}", b"{}")  # the credential is read once, then reused

    with django_assert_num_queries(1):
        answer = pai(f"/api/v1/async_jobs/{trained.id}", b"{}")

    assert json.loads(answer["data"]["job"]["Result"])["model_id"] == str(avatar.model_id)


def avatar_job_submit_row(*, owner, avatar: Avatar) -> Job:
    job = Job.objects.create(owner=owner, kind=JobKind.TRAIN, state=JobState.SUCCEEDED, result={"states": []})
    AvatarJob.objects.create(job=job, avatar=avatar)
    return job
