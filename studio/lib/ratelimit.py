"""Rate limits per account and operation, and first-use marks of signed requests, in the shared
cache (Redis when REDIS_URL is set), so that every web process counts together. Rate limits are a
sliding window: this window's count plus the previous window's, weighted by how much of it still
overlaps. Both fail open: a cache outage is logged (once a minute) and never fails a request."""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What a cache backend raises when its server is down or slow: redis-py's errors, or the socket's.
CACHE_ERRORS = (RedisError, OSError)
# An outage lasts for many requests; one line per this many seconds (per process) says it goes on.
OUTAGE_LOG_INTERVAL = 60.0

_outage_lock = threading.Lock()
_outage_logged_at = -math.inf


def cache_outage_log(*, operation: str, error: Exception) -> None:
    """Logs that ``operation`` went ahead without the cache, at most once per OUTAGE_LOG_INTERVAL."""
    global _outage_logged_at
    now = time.monotonic()
    with _outage_lock:
        if now - _outage_logged_at < OUTAGE_LOG_INTERVAL:
            return
        _outage_logged_at = now
    log.warning("cache unreachable (%s: %s): %s goes ahead unchecked (fail open); "
                "repeats are not logged for %.0f s", type(error).__name__, error, operation, OUTAGE_LOG_INTERVAL)

UNITS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour"}.get(self.seconds, f"{self.seconds} s")
        return f"{self.count} per {unit}"


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    operation: str
    rate: Rate | None = None
    retry_after: float = 0.0  # seconds

    @property
    def message(self) -> str:
        return (f"Request was denied due to request throttling: {self.operation} allows {self.rate} per account; "
                f"retry in {self.retry_after:.1f} s.")


def rate_parse(text: str) -> Rate:
    """ "2/s", "20/s", "100/m", "1000/h"."""
    count, _, unit = text.strip().partition("/")
    try:
        rate = Rate(int(count), UNITS[unit.strip() or "s"])
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"A rate limit is written like 2/s, 100/m or 1000/h, not {text!r}") from None
    if rate.count < 1:
        raise ImproperlyConfigured(f"A rate limit allows at least one request, not {text!r}")
    return rate


def _account_key(owner) -> str:
    # SQLite reuses the ids of deleted rows; the join time keeps a new account off an old one's counts.
    return f"{owner.pk}.{int(owner.date_joined.timestamp() * 1000)}"


def rate_limit_hit(*, owner, operation: str, now: float | None = None) -> RateLimit:
    """Counts one request of ``operation`` (a key of STUDIO_RATE_LIMITS) by ``owner``; a refused
    request is not counted, so a client that slows down gets through again. Without the cache the
    request is allowed: an outage of the limiter must not become an outage of the API."""
    text = settings.STUDIO_RATE_LIMITS.get(operation)
    if not text:
        return RateLimit(allowed=True, operation=operation)
    rate = rate_parse(text)
    try:
        return _counted(owner=owner, operation=operation, rate=rate, now=time.time() if now is None else now)
    except CACHE_ERRORS as exc:
        cache_outage_log(operation=f"rate limit {operation}", error=exc)
        return RateLimit(allowed=True, operation=operation, rate=rate)


def _counted(*, owner, operation: str, rate: Rate, now: float) -> RateLimit:
    window = math.floor(now / rate.seconds)
    elapsed = now / rate.seconds - window  # fraction of this window gone by
    base = f"ratelimit:{operation}:{_account_key(owner)}"
    current, previous = f"{base}:{window}", f"{base}:{window - 1}"
    cache.add(current, 0, timeout=rate.seconds * 2 + 1)
    try:
        count = cache.incr(current)
    except ValueError:  # evicted between add and incr
        cache.set(current, 1, timeout=rate.seconds * 2 + 1)
        count = 1
    weighted = (cache.get(previous) or 0) * (1 - elapsed) + count
    if weighted <= rate.count:
        return RateLimit(allowed=True, operation=operation, rate=rate)
    cache.decr(current)
    return RateLimit(allowed=False, operation=operation, rate=rate,
                     retry_after=round(max(0.1, (1 - elapsed) * rate.seconds), 1))


def request_first_use(*, key: str, seconds: int) -> bool:
    """Marks a request (by a key such as its signature) as used for ``seconds``; False when it was
    already marked. cache.add is atomic in Redis, so two web processes cannot both see a first use.
    Without the cache every request counts as a first use (fail open, logged)."""
    try:
        return cache.add(f"first-use:{key}", 1, timeout=seconds)
    except CACHE_ERRORS as exc:
        cache_outage_log(operation="replay check", error=exc)
        return True


def request_use_forget(*, key: str) -> None:
    """Takes back a first-use mark, for a request that was refused before it changed anything."""
    try:
        cache.delete(f"first-use:{key}")
    except CACHE_ERRORS as exc:
        cache_outage_log(operation="replay check", error=exc)
