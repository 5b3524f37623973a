"""Keeps one qcluster working, from outside it (`manage.py qcluster_supervised`).

Runs `manage.py qcluster` as a child process group, sends heartbeat probes through its broker, and
kills and restarts it when it exits or falls silent: a wedged cluster (pusher and workers blocked)
keeps every process alive and takes no task. It also runs the reaper itself, so that the jobs a
killed cluster left running are re-queued even when no cluster runs the reaper's schedule (a wedged
one cannot, and django-q2 gives schedules without a cluster only to the default one).
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import time
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.utils import timezone

from .heartbeat import INSTANCE_ENV, heartbeat_last, heartbeat_probe_send, heartbeats_forget
from .process_groups import group_gone, group_signal
from .services import jobs_reap

log = logging.getLogger(__name__)

KEEP_HEARTBEATS = timedelta(days=1)  # beats of instances gone for longer are deleted
MAX_BACKOFF = 60  # seconds between restarts of a cluster that keeps exiting at once
PR_SET_PDEATHSIG = 1


class Watchdog:
    def __init__(self, *, command: list[str], cluster: str, interval: float, max_age: float, reap_every: float,
                 stop_timeout: float = 10.0):
        self.command = command  # starts one qcluster
        self.cluster = cluster  # the queue it takes tasks from, where probes go
        self.interval = interval  # seconds between probes
        self.max_age = max_age  # seconds of silence before a restart
        self.reap_every = reap_every  # seconds between reaper passes
        self.stop_timeout = stop_timeout  # seconds a stopping cluster gets before it is killed
        self.restarts = 0
        self.child: subprocess.Popen | None = None
        self.instance = ""
        self._generation = 0
        self._fast_exits = 0
        self._started = 0.0  # monotonic
        self._started_at = timezone.now()
        self._last_beat: datetime | None = None
        self._unreadable = False
        self._stopping = False

    def run(self) -> int:
        """Supervises until SIGINT or SIGTERM, then stops the cluster."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop_requested)
        tick = min(1.0, self.interval / 4)
        next_probe = next_reap = 0.0
        self._start()
        while not self._stopping:
            now = time.monotonic()
            if self.child.poll() is not None:
                self._restart(f"qcluster exited with code {self.child.returncode}", exited=True)
                continue
            if now >= next_probe:
                next_probe = now + self.interval
                self._probe()
            if now >= next_reap:
                next_reap = now + self.reap_every
                self._reap()
            silence = self._silence()
            if silence > self.max_age:
                self._restart(f"no heartbeat for {silence:.0f} s (limit {self.max_age:.0f} s)", exited=False)
                continue
            time.sleep(tick)
        self._stop()
        log.info("watchdog of cluster %s stopped after %d restarts", self.cluster, self.restarts)
        return 0

    def _stop_requested(self, signum: int, frame) -> None:
        self._stopping = True

    def _start(self) -> None:
        self._generation += 1
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{self._generation}"
        env = {**os.environ, INSTANCE_ENV: self.instance}
        self.child = subprocess.Popen(self.command, env=env, process_group=0, preexec_fn=_die_with_parent)
        self._started, self._started_at, self._last_beat = time.monotonic(), timezone.now(), None
        log.info("watchdog: cluster %s started (pid %s, instance %s)", self.cluster, self.child.pid, self.instance)
        try:
            close_old_connections()
            heartbeats_forget(before=timezone.now() - KEEP_HEARTBEATS)
        except Exception as exc:  # noqa: BLE001 - housekeeping; the database may be down for a while
            log.warning("watchdog: old heartbeats not deleted (%s: %s)", type(exc).__name__, exc)

    def _restart(self, reason: str, *, exited: bool) -> None:
        self.restarts += 1
        log.warning("watchdog: restarting cluster %s (restart %d): %s", self.cluster, self.restarts, reason)
        group_signal(self.child, signal.SIGKILL)  # wedged processes ignore anything gentler
        self.child.wait()
        try:
            heartbeats_forget(instance=self.instance)
        except Exception:  # noqa: BLE001 - a leftover row only shows as one more silent instance
            pass
        # A cluster that exits as it starts (broker or database down) is retried ever more slowly.
        self._fast_exits = self._fast_exits + 1 if exited and time.monotonic() - self._started < self.max_age else 0
        deadline = time.monotonic() + min(2 ** self._fast_exits - 1, MAX_BACKOFF)
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(0.2)
        if not self._stopping:
            self._start()

    def _probe(self) -> None:
        try:
            heartbeat_probe_send(cluster=self.cluster)
        except Exception as exc:  # noqa: BLE001 - the broker is down: the silence will tell
            log.warning("watchdog: heartbeat probe not sent (%s: %s)", type(exc).__name__, exc)

    def _reap(self) -> None:
        try:
            close_old_connections()
            report = jobs_reap()
        except Exception as exc:  # noqa: BLE001 - the next pass tries again
            log.warning("watchdog: reaper pass failed (%s: %s)", type(exc).__name__, exc)
            return
        if report.requeued or report.failed or report.reenqueued:
            log.info("watchdog: reaper re-queued %s, failed %s, re-sent %s",
                     report.requeued, report.failed, report.reenqueued)

    def _silence(self) -> float:
        """Seconds since the cluster's last heartbeat seen, or since its start.

        An unreadable heartbeat counts as silence: on SQLite, a cluster process stopped inside a
        write holds the database lock, and only its restart frees it."""
        try:
            close_old_connections()
            self._last_beat = heartbeat_last(instance=self.instance) or self._last_beat
        except Exception as exc:  # noqa: BLE001 - the database is down or locked
            if not self._unreadable:
                log.warning("watchdog: heartbeat unreadable (%s: %s)", type(exc).__name__, exc)
            self._unreadable = True
        else:
            self._unreadable = False
        since = max(self._last_beat, self._started_at) if self._last_beat else self._started_at
        return (timezone.now() - since).total_seconds()

    def _stop(self) -> None:
        """SIGTERM to qcluster, which lets running tasks finish; SIGKILL to the group after stop_timeout."""
        if self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
        group_gone(self.child.pid, timeout=self.stop_timeout)
        group_signal(self.child, signal.SIGKILL)
        self.child.wait()


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the watchdog dies, so that no cluster outlives it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):  # not Linux: the cluster may outlive a killed watchdog
        pass
