"""Waiting for a job (the synchronous API calls): dozens of requests may wait at once for minutes,
so a long wait gives its database connection back between polls instead of holding it."""
from __future__ import annotations

import pytest
from django.db import connection

from accounts.services import user_get_or_create
from jobs.models import Job, JobKind, JobState
from jobs.services import WAIT_POLL_MAX, job_wait


@pytest.mark.django_db(transaction=True)
def test_a_long_wait_holds_no_database_connection_while_it_sleeps():
    job = Job.objects.create(owner=user_get_or_create(email="waiter@example.com")[0], kind=JobKind.CHECK)
    held = []

    def sleep(seconds: float) -> None:
        held.append(connection.connection is not None)
        Job.objects.filter(id=job.id).update(state=JobState.SUCCEEDED)

    assert job_wait(job_id=job.id, timeout=60, poll=WAIT_POLL_MAX, sleep=sleep).state == JobState.SUCCEEDED
    assert held == [False]


@pytest.mark.django_db
def test_a_wait_polls_less_often_as_it_goes_on():
    job = Job.objects.create(owner=user_get_or_create(email="waiter@example.com")[0], kind=JobKind.CHECK)
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 12:
            Job.objects.filter(id=job.id).update(state=JobState.SUCCEEDED)

    job_wait(job_id=job.id, timeout=600, sleep=sleep)

    assert naps[0] < naps[5] < naps[-1] == WAIT_POLL_MAX


@pytest.mark.django_db(transaction=True)
def test_a_wait_on_a_pooled_connection_hands_it_back_at_every_poll(monkeypatch):
    # Handing a pooled connection back costs nothing, and the pool is shared by the process's threads.
    # SQLite has no pool: the check of the settings is answered as PostgreSQL with STUDIO_DB_POOL would.
    monkeypatch.setattr("jobs.services._pooled", lambda: True)
    job = Job.objects.create(owner=user_get_or_create(email="waiter@example.com")[0], kind=JobKind.CHECK)
    held = []

    def sleep(seconds: float) -> None:
        held.append(connection.connection is not None)
        if len(held) == 2:
            Job.objects.filter(id=job.id).update(state=JobState.SUCCEEDED)

    job_wait(job_id=job.id, timeout=60, sleep=sleep)

    assert held == [False, False]
