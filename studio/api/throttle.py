"""Per-account limits of the DashScope-compatible API, answered as DashScope answers throttling:
submissions and queries per second (studio.lib.ratelimit, shared by every web process through the
cache) and tasks queued or running at once. The numbers are settings (DashScope's documents:
2 and 20 per second, one task at a time; the photo check 5 per second).
"""
from __future__ import annotations

from django.conf import settings

from billing.selectors import jobs_in_flight_for
from studio.lib.ratelimit import rate_limit_hit

from .dashscope_wire import RATE_MESSAGE, THROTTLING, THROTTLING_RATE, DashScopeError

SOURCE = "dashscope"


def _limited(*, owner, operation: str) -> None:
    limit = rate_limit_hit(owner=owner, operation=operation)
    if not limit.allowed:
        raise DashScopeError(429, THROTTLING_RATE, RATE_MESSAGE, retry_after=limit.retry_after_seconds)


def query_throttle(*, owner) -> None:
    """Task queries: the SDK's wait() polls at most once a second and does not retry a 429."""
    _limited(owner=owner, operation="dashscope.query")


def submit_throttle(*, owner) -> None:
    """Submissions: the rate first, then the tasks this account already has queued or running."""
    _limited(owner=owner, operation="dashscope.submit")
    limit = settings.STUDIO_DASHSCOPE_MAX_CONCURRENT
    active = jobs_in_flight_for(owner=owner, source=SOURCE)
    if active >= limit:
        raise DashScopeError(
            429, THROTTLING,
            f"Requests throttling triggered: {active} of your tasks are pending or running and "
            f"at most {limit} may run at once; wait for one to finish.",
        )


def detect_throttle(*, owner) -> None:
    """The synchronous photo check (facechain-facedetect)."""
    _limited(owner=owner, operation="dashscope.detect")
