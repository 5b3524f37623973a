"""Per-account limits of the DashScope-compatible API: submissions and queries per second, and
tasks queued or running at once. The numbers are settings (DashScope's documents: 2, 20 and 1).

Counters are fixed one-second windows in Django's cache. The default LocMemCache is per process,
so with several web processes each counts alone: configure a shared cache (Redis) for exact limits.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from jobs.models import Job, JobState

from .dashscope_wire import RATE_MESSAGE, THROTTLING, THROTTLING_RATE, DashScopeError

SOURCE = "dashscope"


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _within(bucket: str, owner_id: int, limit: int) -> bool:
    key = f"dashscope-throttle:{bucket}:{owner_id}:{int(time.time())}"
    cache.add(key, 0, timeout=5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=5)
        count = 1
    return count <= limit


def query_throttle(*, owner) -> None:
    """Task queries: the SDK's wait() polls at most once a second and does not retry a 429."""
    if not _within("query", owner.id, _limit("STUDIO_DASHSCOPE_QUERY_QPS", 20)):
        raise DashScopeError(429, THROTTLING_RATE, RATE_MESSAGE)


def submit_throttle(*, owner) -> None:
    """Submissions: the rate first, then the tasks this account already has queued or running."""
    if not _within("submit", owner.id, _limit("STUDIO_DASHSCOPE_SUBMIT_QPS", 2)):
        raise DashScopeError(429, THROTTLING_RATE, RATE_MESSAGE)
    limit = _limit("STUDIO_DASHSCOPE_CONCURRENT_TASKS", 1)
    active = Job.objects.filter(
        owner=owner, source=SOURCE, state__in=[JobState.QUEUED, JobState.RUNNING]
    ).count()
    if active >= limit:
        raise DashScopeError(
            429, THROTTLING,
            f"Requests throttling triggered: {active} of your tasks are pending or running and "
            f"at most {limit} may run at once; wait for one to finish.",
        )


def detect_throttle(*, owner) -> None:
    """The synchronous photo check (facechain-facedetect): 5 QPS in DashScope's document."""
    if not _within("detect", owner.id, _limit("STUDIO_DASHSCOPE_DETECT_QPS", 5)):
        raise DashScopeError(429, THROTTLING_RATE, RATE_MESSAGE)
