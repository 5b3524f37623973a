"""Health endpoints for load balancers and containers: /health/live (the process answers) and
/health/ready (database, cache, job broker, media storage and workers all work).

They are answered by a middleware placed first, before host validation, sessions, CSRF and the
log-in throttle: a probe sends whatever Host header its network gives it (a pod's IP, say), and a
probe must not depend on the parts it is probing. Answers never carry exception texts, which can
name hosts, users or keys: only which check failed and the kind of failure.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from jobs.health import worker_health_check
from jobs.models import JobKind
from jobs.queue import QueueUnavailable, queue_check

LIVE_PATHS = ("/health/live", "/health/live/")
READY_PATHS = ("/health/ready", "/health/ready/")
# The worker check reads every cluster's queue and heartbeats: probes every second or two from
# several load balancers share one reading per process for this long.
WORKER_CHECK_TTL = 5.0
STORAGE_PROBE = "health/ready.txt"
CACHE_PROBE = "studio:health:ready"

Check = Callable[[], str | None]  # None when healthy, else a short reason without secrets


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _cache() -> str | None:
    token = str(time.monotonic_ns())
    cache.set(CACHE_PROBE, token, 10)
    return None if cache.get(CACHE_PROBE) == token else "a value written could not be read back"


def _broker() -> str | None:
    # Every cluster's queue lives on the same broker (one Redis, or the database): one ping answers.
    try:
        queue_check(kind=JobKind.CHECK)
    except QueueUnavailable:
        return "the job broker does not answer"
    return None


def _storage() -> str | None:
    # One small object, written once (that proves writing), then checked for on every probe (one
    # HEAD request with S3, a stat with a local folder).
    if not default_storage.exists(STORAGE_PROBE):
        default_storage.save(STORAGE_PROBE, ContentFile(b"ok\n"))
        if not default_storage.exists(STORAGE_PROBE):
            return "a file written to media storage could not be found"
    return None


class _WorkerCheck:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reading: tuple[float, str | None] | None = None

    def __call__(self) -> str | None:
        with self._lock:
            if self._reading is None or time.monotonic() - self._reading[0] > WORKER_CHECK_TTL:
                health = worker_health_check()
                self._reading = (time.monotonic(), "; ".join(health.problems) or None)
            return self._reading[1]

    def forget(self) -> None:
        with self._lock:
            self._reading = None


workers = _WorkerCheck()

CHECKS: dict[str, Check] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "storage": _storage,
    "workers": workers,
}


def readiness() -> tuple[bool, dict[str, dict[str, str]]]:
    """Runs every check; each reads ``{"status": "ok"}`` or ``{"status": "fail", "reason": ...}``."""
    report = {}
    for name, check in CHECKS.items():
        try:
            reason = check()
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is "not ready"
            # The class name only: messages of database and network errors name hosts and users.
            reason = f"{type(exc).__name__}"
        report[name] = {"status": "ok"} if reason is None else {"status": "fail", "reason": reason}
    return all(entry["status"] == "ok" for entry in report.values()), report


def health_live(request: HttpRequest) -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def health_ready(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    return _no_store(JsonResponse({"status": "ok" if ready else "fail", "checks": checks},
                                  status=200 if ready else 503))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers the two health paths before any other middleware runs (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path in LIVE_PATHS or path in READY_PATHS:
            if request.method not in ("GET", "HEAD"):
                response = _no_store(JsonResponse({"status": "method not allowed"}, status=405))
                response["Allow"] = "GET, HEAD"
                return response
            return health_live(request) if path in LIVE_PATHS else health_ready(request)
        return self.get_response(request)
