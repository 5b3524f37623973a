"""Sending jobs to django-q2: which cluster takes which kind of job, and what happens when the
broker (Redis, or the database for the ORM broker) cannot be reached."""
from __future__ import annotations

import logging

from django.conf import settings
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

from .models import Job, JobKind

log = logging.getLogger(__name__)

# With split clusters, light CPU work stays off the machines that train and create.
CLUSTER_OF_KIND = {
    JobKind.CHECK: "cpu",
    JobKind.STYLIZE: "cpu",
    JobKind.IDPHOTO: "cpu",
    JobKind.TRAIN: "gpu",
    JobKind.CREATE: "gpu",
}
# What the APIs tell a client to wait before it tries again while the broker is down.
RETRY_AFTER = 30


class QueueUnavailable(Exception):
    """The broker cannot be reached: nothing was submitted or charged, the client may try again."""

    message = "The job queue cannot be reached at the moment; nothing was submitted or charged. Try again later."
    retry_after = RETRY_AFTER


def cluster_for(kind: str) -> str | None:
    """The django-q2 queue for a kind; None means the one default cluster."""
    return CLUSTER_OF_KIND[JobKind(kind)] if settings.STUDIO_SPLIT_CLUSTERS else None


# One broker per process, cluster and broker settings. django-q2 makes a new one for each call
# otherwise, and with Redis that is a new connection pool, so a new connection, for each submit: a
# tenth of a submit's time (bench/api.py). Keyed by the settings too, which tests change.
_brokers: dict[tuple, Broker] = {}


def _broker(cluster: str | None) -> Broker:
    key = (cluster, Conf.ORM, repr(Conf.REDIS), Conf.BROKER_CLASS)
    broker = _brokers.get(key)
    if broker is None:
        broker = _brokers.setdefault(key, get_broker(cluster))
    return broker


def queue_check(*, kind: str) -> None:
    """Raises QueueUnavailable unless the broker of ``kind``'s cluster answers (one PING with Redis,
    nothing with the ORM broker, whose database is the one the job is written to anyway)."""
    try:
        _broker(cluster_for(kind)).ping()
    except Exception as exc:  # noqa: BLE001 - each broker (Redis, SQS, ...) raises its own errors
        log.warning("job broker unreachable (%s: %s): submission refused", type(exc).__name__, exc)
        raise QueueUnavailable() from None


def job_enqueue(*, job: Job) -> bool:
    """Sends a committed job to its cluster; False when the broker failed. The job then stays
    queued, and the reaper sends it again once it has waited a lease (jobs_reap)."""
    options = {"task_name": f"job {job.id} ({job.kind})"}
    cluster = cluster_for(job.kind)
    if cluster:
        options["cluster"] = cluster
    try:
        async_task("jobs.tasks.run_job", job.id, q_options={**options, "broker": _broker(cluster)})
    except Exception as exc:  # noqa: BLE001 - the job is committed: a broker error must not lose it or fail the request
        log.warning("job %s: not sent to the broker (%s: %s); it stays queued for the reaper",
                    job.id, type(exc).__name__, exc)
        return False
    return True
