"""Heartbeats of running qclusters: proof that a cluster executes work, not only that it exists.

Workers write their cluster instance's beat when a task starts or ends and, while one runs, every
STUDIO_HEARTBEAT_INTERVAL seconds (jobs.worker); the watchdog (jobs.watchdog) sends a probe task
through the broker as often, so that an idle cluster beats too. A cluster whose pusher or workers
are blocked takes no task, and falls silent whatever its processes look like.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from .models import WorkerHeartbeat

# Set by the watchdog for the qcluster it starts, so that it can find that instance's beats.
INSTANCE_ENV = "STUDIO_WORKER_INSTANCE"
PROBE_TASK = "jobs.tasks.heartbeat"


def worker_instance() -> str:
    """The instance of the worker process calling: named by its watchdog, or else by its django-q2
    sentinel, the parent of every worker of one qcluster."""
    return os.environ.get(INSTANCE_ENV) or f"{socket.gethostname()}:{os.getppid()}"


def worker_cluster() -> str:
    """The django-q2 queue this process's cluster takes tasks from (Q_CLUSTER_NAME, or the default)."""
    return Conf.CLUSTER_NAME


def heartbeat_record(*, cluster: str, instance: str, now: datetime | None = None) -> None:
    """Marks ``instance`` of ``cluster`` as having done work at ``now``."""
    now = now or timezone.now()
    if WorkerHeartbeat.objects.filter(instance=instance).update(beat_at=now, cluster=cluster):
        return
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(
                instance=instance, cluster=cluster, host=socket.gethostname(), started_at=now, beat_at=now
            )
    except IntegrityError:  # another worker of the instance wrote its first beat at the same moment
        WorkerHeartbeat.objects.filter(instance=instance).update(beat_at=now)


def heartbeat_probe_send(*, cluster: str) -> None:
    """Sends the probe task to ``cluster`` through its broker: only a worker that takes tasks runs it.
    Its result is not saved, so that probes do not crowd job results out of django-q2's table."""
    async_task(PROBE_TASK, q_options={"cluster": cluster, "task_name": f"heartbeat of {cluster}", "save": False})


def heartbeat_last(*, instance: str) -> datetime | None:
    return WorkerHeartbeat.objects.filter(instance=instance).values_list("beat_at", flat=True).first()


def heartbeats_forget(*, instance: str | None = None, before: datetime | None = None) -> int:
    """Deletes the beats of one instance (restarted: it will not beat again), or all older than ``before``."""
    rows = WorkerHeartbeat.objects.all()
    if instance is not None:
        rows = rows.filter(instance=instance)
    if before is not None:
        rows = rows.filter(beat_at__lt=before)
    return rows.delete()[0]
