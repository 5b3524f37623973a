"""What the studio adds to each django-q2 worker process: a memory cap set once as the process
starts, and the heartbeat (jobs.heartbeat) written as tasks start, run and end."""
from __future__ import annotations

import logging
import multiprocessing
import resource
import threading
import time

from django.conf import settings
from django.db import connections
from django_q.signals import post_execute_in_worker, post_spawn, pre_execute

from .heartbeat import heartbeat_record, worker_cluster, worker_instance

log = logging.getLogger(__name__)


def worker_hooks_connect() -> None:
    """Called once from JobsConfig.ready(): the qcluster process connects them before it forks
    its workers, and django-q2 sends these signals inside each worker."""
    post_spawn.connect(_on_spawn, dispatch_uid="jobs.worker.spawn")
    pre_execute.connect(_on_task_start, dispatch_uid="jobs.worker.task_start")
    post_execute_in_worker.connect(_on_task_end, dispatch_uid="jobs.worker.task_end")


def memory_cap_apply(*, limit: int) -> None:
    """Caps this process's private memory (RLIMIT_DATA) at ``limit`` bytes; 0 leaves it alone.

    Past the cap, allocations fail: Python and numpy raise MemoryError, which fails the job
    (jobs.services.job_run) and leaves the worker alive for the next one."""
    if not limit:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


class _Beats:
    """This worker process's heartbeat: at most one write per half interval when tasks start and
    end, and one per interval from a thread while a task runs (a long training is work too)."""

    def __init__(self) -> None:
        self.last_write = 0.0
        self.task_done: threading.Event | None = None

    def beat(self, *, throttled: bool = True) -> None:
        now = time.monotonic()
        if throttled and now - self.last_write < settings.STUDIO_HEARTBEAT_INTERVAL / 2:
            return
        self.last_write = now
        try:
            heartbeat_record(cluster=worker_cluster(), instance=worker_instance())
        except Exception as exc:  # noqa: BLE001 - a heartbeat must never fail the task it accompanies
            log.warning("heartbeat not written (%s: %s)", type(exc).__name__, exc)

    def task_started(self) -> None:
        self.beat()
        self.task_done = threading.Event()
        threading.Thread(target=self._while_running, args=(self.task_done,), name="heartbeat", daemon=True).start()

    def task_ended(self) -> None:
        if self.task_done is not None:
            self.task_done.set()
            self.task_done = None
        self.beat()

    def _while_running(self, task_done: threading.Event) -> None:
        try:
            while not task_done.wait(settings.STUDIO_HEARTBEAT_INTERVAL):
                self.beat(throttled=False)
        finally:
            connections.close_all()  # this thread's own connections


_beats = _Beats()


# With django-q2's sync option, tasks run in the process that enqueues them (a web process, a
# test): no cap and no heartbeat there, since it is no worker of a cluster. A cluster's workers
# are multiprocessing children of its sentinel.


def _on_spawn(sender, proc_name: str, **kwargs) -> None:
    if multiprocessing.parent_process() is not None:
        memory_cap_apply(limit=settings.STUDIO_JOB_MAX_MEMORY)


def _on_task_start(sender, func, task: dict, **kwargs) -> None:
    if not task.get("sync"):
        _beats.task_started()


def _on_task_end(sender, func, task: dict, **kwargs) -> None:
    if not task.get("sync"):
        _beats.task_ended()
