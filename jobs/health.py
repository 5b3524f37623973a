"""Whether the workers do their work, judged from outside the clusters: each cluster's queue (the
oldest queued job's age), its running jobs, and its latest heartbeat (jobs.heartbeat). Used by
`manage.py worker_health`, for a supervisor or a container health check; a readiness endpoint can
return the same report."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Job, JobKind, JobState, WorkerHeartbeat
from .queue import cluster_for


@dataclass(frozen=True)
class InstanceBeat:
    instance: str
    host: str
    age: float  # seconds since its last heartbeat


@dataclass(frozen=True)
class ClusterHealth:
    name: str
    queued: int
    running: int
    # Seconds the longest-waiting queued job has waited since it was submitted or last started.
    oldest_queued_age: float | None
    # Running jobs whose lease ran out more than STUDIO_HEARTBEAT_MAX_AGE ago: nobody re-queued them.
    unreaped: int
    instances: tuple[InstanceBeat, ...]
    problems: tuple[str, ...]

    @property
    def heartbeat_age(self) -> float | None:
        return min((instance.age for instance in self.instances), default=None)


@dataclass(frozen=True)
class WorkerHealth:
    clusters: tuple[ClusterHealth, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        return [problem for cluster in self.clusters for problem in cluster.problems]

    def as_dict(self) -> dict:
        return {"healthy": self.healthy, "clusters": [asdict(cluster) for cluster in self.clusters]}


def worker_clusters() -> list[str]:
    """The clusters jobs are sent to: the default one, or cpu and gpu with split clusters."""
    return sorted({_cluster_of(kind) for kind in JobKind})


def worker_health_check(*, clusters: Sequence[str] | None = None, now: datetime | None = None) -> WorkerHealth:
    """The health of ``clusters`` (default: every cluster jobs are sent to) at ``now``."""
    now = now or timezone.now()
    return WorkerHealth(clusters=tuple(_cluster_health(name, now) for name in clusters or worker_clusters()))


def _cluster_of(kind: str) -> str:
    return cluster_for(kind) or settings.Q_CLUSTER["name"]


def _cluster_health(name: str, now: datetime) -> ClusterHealth:
    max_age = settings.STUDIO_HEARTBEAT_MAX_AGE
    jobs = Job.objects.filter(kind__in=[kind for kind in JobKind if _cluster_of(kind) == name])
    counts = jobs.aggregate(
        queued=Count("id", filter=Q(state=JobState.QUEUED)),
        running=Count("id", filter=Q(state=JobState.RUNNING)),
        unreaped=Count("id", filter=Q(state=JobState.RUNNING, lease_expires_at__lt=now - timedelta(seconds=max_age))),
        waiting_since=Min(Coalesce("started_at", "created_at"), filter=Q(state=JobState.QUEUED)),
    )
    waiting_since = counts["waiting_since"]
    oldest = (now - waiting_since).total_seconds() if waiting_since else None
    instances = tuple(
        InstanceBeat(instance=beat.instance, host=beat.host, age=round((now - beat.beat_at).total_seconds(), 1))
        for beat in WorkerHeartbeat.objects.filter(cluster=name).order_by("-beat_at")
    )
    problems = []
    if not instances:
        problems.append(f"{name}: no heartbeat yet (are its workers running under `manage.py qcluster_supervised`?)")
    elif min(instance.age for instance in instances) > max_age:
        age = min(instance.age for instance in instances)
        problems.append(f"{name}: last heartbeat {age:.0f} s ago (limit {max_age} s)")
    queue_limit = settings.STUDIO_QUEUE_MAX_AGE
    if queue_limit and oldest is not None and oldest > queue_limit:
        problems.append(f"{name}: a queued job has waited {oldest:.0f} s (limit {queue_limit} s)")
    if counts["unreaped"]:
        problems.append(f"{name}: {counts['unreaped']} running jobs lost their worker over {max_age} s ago "
                        "and were not re-queued (is the reaper running?)")
    return ClusterHealth(
        name=name, queued=counts["queued"], running=counts["running"],
        oldest_queued_age=round(oldest, 1) if oldest is not None else None, unreaped=counts["unreaped"],
        instances=instances, problems=tuple(problems),
    )
