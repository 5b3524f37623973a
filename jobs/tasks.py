"""django-q2 entry points: load by id, call the service, done."""
from __future__ import annotations

from .heartbeat import heartbeat_record, worker_cluster, worker_instance
from .services import job_run, jobs_reap


def run_job(job_id: int) -> None:
    job_run(job_id=job_id)


def heartbeat() -> None:
    """The watchdog's probe: written by whichever worker of the cluster takes it."""
    heartbeat_record(cluster=worker_cluster(), instance=worker_instance())


def reap_jobs() -> dict:
    report = jobs_reap()
    return {"requeued": report.requeued, "failed": report.failed, "reenqueued": report.reenqueued}
