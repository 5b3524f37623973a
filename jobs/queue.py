"""Sending jobs to django-q2: which cluster takes which kind of job."""
from __future__ import annotations

from django.conf import settings
from django_q.tasks import async_task

from .models import Job, JobKind

# With split clusters, light CPU work stays off the machines that train and create.
CLUSTER_OF_KIND = {
    JobKind.CHECK: "cpu",
    JobKind.STYLIZE: "cpu",
    JobKind.IDPHOTO: "cpu",
    JobKind.TRAIN: "gpu",
    JobKind.CREATE: "gpu",
}


def cluster_for(kind: str) -> str | None:
    """The django-q2 queue for a kind; None means the one default cluster."""
    return CLUSTER_OF_KIND[JobKind(kind)] if settings.STUDIO_SPLIT_CLUSTERS else None


def job_enqueue(*, job: Job) -> None:
    options = {"task_name": f"job {job.id} ({job.kind})"}
    cluster = cluster_for(job.kind)
    if cluster:
        options["cluster"] = cluster
    async_task("jobs.tasks.run_job", job.id, q_options=options)
