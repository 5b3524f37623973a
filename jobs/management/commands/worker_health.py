"""`manage.py worker_health`: exits 0 when every cluster's workers do their work, 1 with the reasons
when not; for a supervisor or a container health check (jobs.health)."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from jobs.health import WorkerHealth, worker_health_check


class Command(BaseCommand):
    help = ("Checks the workers from outside the clusters: the oldest queued job's age, running jobs and "
            "each cluster's last heartbeat. Exits 1 when unhealthy.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cluster", action="append", dest="clusters", metavar="NAME",
                            help="check this cluster only (repeatable); default: every cluster jobs go to")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON")

    def handle(self, *args, clusters: list[str] | None, as_json: bool, **options) -> None:
        health = worker_health_check(clusters=clusters)
        self.stdout.write(json.dumps(health.as_dict(), indent=1) if as_json else "\n".join(_lines(health)))
        if not health.healthy:
            raise SystemExit(1)


def _lines(health: WorkerHealth) -> list[str]:
    lines = []
    for cluster in health.clusters:
        oldest = "" if cluster.oldest_queued_age is None else f", oldest waiting {cluster.oldest_queued_age:.0f} s"
        lines.append(f"cluster {cluster.name}: {'unhealthy' if cluster.problems else 'healthy'}")
        lines.append(f"  jobs: {cluster.queued} queued{oldest}, {cluster.running} running")
        for instance in cluster.instances:
            lines.append(f"  heartbeat of {instance.instance}: {instance.age:.0f} s ago")
        lines.extend(f"  problem: {problem}" for problem in cluster.problems)
    return lines
