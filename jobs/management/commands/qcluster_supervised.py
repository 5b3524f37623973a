"""`manage.py qcluster_supervised`: qcluster under a watchdog that restarts it when it exits or its
heartbeat stops, and runs the reaper from outside it (jobs.watchdog)."""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django_q.conf import Conf

from jobs.watchdog import Watchdog


class Command(BaseCommand):
    help = ("Runs a django-q2 cluster (Q_CLUSTER_NAME as for qcluster) and restarts it when it exits or "
            "stops executing work; re-queues the jobs of lost workers.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reap-every", type=float, default=60.0,
                            help="seconds between reaper passes (default 60)")

    def handle(self, *args, reap_every: float, **options) -> None:
        watchdog = Watchdog(
            command=[sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
            cluster=Conf.CLUSTER_NAME,
            interval=settings.STUDIO_HEARTBEAT_INTERVAL,
            max_age=settings.STUDIO_HEARTBEAT_MAX_AGE,
            reap_every=reap_every,
        )
        sys.exit(watchdog.run())
