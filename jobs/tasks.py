"""django-q2 entry points: load by id, call the service, done."""
from __future__ import annotations

from datetime import datetime

from .heartbeat import heartbeat_record, worker_cluster, worker_instance
from .services import job_run, jobs_reap
from .webhooks.delivery import delivery_attempt, webhooks_sweep


def run_job(job_id: int) -> None:
    job_run(job_id=job_id)


def heartbeat() -> None:
    """The watchdog's probe: written by whichever worker of the cluster takes it."""
    heartbeat_record(cluster=worker_cluster(), instance=worker_instance())


def reap_jobs() -> dict:
    report = jobs_reap()
    return {"requeued": report.requeued, "failed": report.failed, "reenqueued": report.reenqueued}


def deliver_webhook(delivery_id: int, attempts: int, now: str | None = None) -> str | None:
    delivery = delivery_attempt(delivery_id=delivery_id, attempts=attempts,
                                now=datetime.fromisoformat(now) if now else None)
    return delivery.state if delivery else None


def sweep_webhooks() -> int:
    return len(webhooks_sweep())


def sweep_retention() -> dict:
    from studio.services.retention import retention_sweep  # the studio app imports jobs, not the reverse

    return retention_sweep().as_dict()
