"""Each job state change writes one log line with the job's id, kind, state and attempt."""
from __future__ import annotations

import logging

import pytest

from accounts.services import user_get_or_create
from jobs.models import Job, JobKind
from jobs.services import job_claim, job_fail
from studio.lib.logs import KeyValueFormatter

pytestmark = pytest.mark.django_db


def test_job_state_changes_log_one_line_each_with_id_kind_state_and_attempt(caplog):
    owner = user_get_or_create(email="owner@example.com")[0]
    job = Job.objects.create(owner=owner, kind=JobKind.CHECK, input={"photos": []})
    with caplog.at_level(logging.INFO, logger="jobs.services"):
        job = job_claim(job_id=job.id)
        job_fail(job=job, code="bad_photo", message="No face.")
    lines = [KeyValueFormatter().format(r) for r in caplog.records if r.getMessage() == "job state"]
    assert [line.split(" msg=", 1)[1] for line in lines] == [
        f'"job state" job_id={job.id} kind=check state=running attempt=1',
        f'"job state" job_id={job.id} kind=check state=failed attempt=1',
    ]
