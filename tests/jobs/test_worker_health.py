"""The workers' health as a supervisor sees it from outside the clusters (`manage.py worker_health`)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs import tasks
from jobs.heartbeat import INSTANCE_ENV, heartbeat_record
from jobs.models import Job, JobKind, JobState, WorkerHeartbeat

pytestmark = pytest.mark.django_db



def _health(*args: str) -> tuple[int, str]:
    """The command's exit status and what it printed."""
    out = io.StringIO()
    try:
        call_command("worker_health", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def _ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def test_health_is_good_while_the_cluster_beats():
    heartbeat_record(cluster="studio", instance="host:1:1")

    status, out = _health()

    assert status == 0
    assert "cluster studio: healthy" in out


def test_health_fails_on_a_heartbeat_older_than_the_limit(settings):
    heartbeat_record(cluster="studio", instance="host:1:1", now=_ago(settings.STUDIO_HEARTBEAT_MAX_AGE + 5))

    status, out = _health()

    assert status == 1
    assert f"last heartbeat {settings.STUDIO_HEARTBEAT_MAX_AGE + 5} s ago" in out


def test_health_fails_before_any_cluster_has_beaten():
    status, out = _health()

    assert status == 1
    assert "studio: no heartbeat yet" in out


def test_health_fails_on_a_job_queued_longer_than_the_limit(owner, settings):
    heartbeat_record(cluster="studio", instance="host:1:1")
    Job.objects.create(owner=owner, kind=JobKind.CHECK, created_at=_ago(settings.STUDIO_QUEUE_MAX_AGE + 60))

    status, out = _health()

    assert status == 1
    assert "a queued job has waited" in out


def test_health_fails_on_running_jobs_nobody_reaped(owner, settings):
    heartbeat_record(cluster="studio", instance="host:1:1")
    Job.objects.create(owner=owner, kind=JobKind.CHECK, state=JobState.RUNNING,
                       lease_expires_at=_ago(settings.STUDIO_HEARTBEAT_MAX_AGE + 60))

    status, out = _health()

    assert status == 1
    assert "is the reaper running?" in out


def test_health_with_split_clusters_checks_only_the_cluster_named(settings):
    settings.STUDIO_SPLIT_CLUSTERS = True
    heartbeat_record(cluster="cpu", instance="cpu-host:1:1")

    assert _health("--cluster", "cpu")[0] == 0
    assert _health()[0] == 1  # the gpu cluster has not beaten


def test_probe_task_records_the_heartbeat_of_the_instance_that_runs_it(monkeypatch):
    monkeypatch.setenv(INSTANCE_ENV, "host:7:2")

    tasks.heartbeat()

    beat = WorkerHeartbeat.objects.get()
    assert (beat.instance, beat.cluster) == ("host:7:2", "studio")
    assert timezone.now() - beat.beat_at < timedelta(seconds=5)
