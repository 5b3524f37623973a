"""Rate limits per account and operation, and first-use marks of signed requests, shared by every
web process: exact moving windows counted by the `limits` library in the cache's Redis, or in this
process's memory when the cache is not Redis (one web process only). Both fail open: an outage is
logged (once a minute) and never fails a request."""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
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
    retry_after: float = 0.0  # seconds until the oldest counted request leaves the window

    @property
    def retry_after_seconds(self) -> int:
        """``retry_after`` as a Retry-After header writes it: whole seconds, at least one."""
        return max(1, math.ceil(self.retry_after))

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


def account_key(owner) -> str:
    """The account's name in the limiter's keys."""
    # SQLite reuses the ids of deleted rows; the join time keeps a new account off an old one's counts.
    return f"{owner.pk}.{int(owner.date_joined.timestamp() * 1000)}"


# The cache's socket timeouts also bound the limiter's calls: a dead Redis must not hold requests.
_REDIS_OPTIONS = ("socket_connect_timeout", "socket_timeout")
# How early a request may come and wait for its slot (at most once) instead of being refused: a
# client that sends at the rate sees its requests arrive this much closer together, or more, as
# the network and the server's own work (a cold first request) vary.
ARRIVAL_JITTER = 0.1
_limiters: dict[tuple[str, str], MovingWindowRateLimiter] = {}
_limiters_lock = threading.Lock()


def _redis_url(config: dict) -> str | None:
    """The Redis the cache writes to (the first of its servers), or None when the cache is not Redis."""
    if "redis" not in config.get("BACKEND", "").lower():
        return None
    location = config.get("LOCATION") or ""
    servers = location.split(",") if isinstance(location, str) else list(location)
    return servers[0].strip() if servers and servers[0].strip() else None


def _limiter() -> MovingWindowRateLimiter:
    """The moving-window limiter on the cache's Redis, or on this process's memory when the cache is
    not Redis; one per storage and process, looked up on each call so that it follows the settings."""
    config = settings.CACHES["default"]
    url = _redis_url(config)
    prefix = ":".join(filter(None, [config.get("KEY_PREFIX"), "ratelimit"]))
    with _limiters_lock:
        limiter = _limiters.get((url or "memory://", prefix))
        if limiter is None:
            if url:
                options = {name: value for name, value in config.get("OPTIONS", {}).items() if name in _REDIS_OPTIONS}
                storage = RedisStorage(url, key_prefix=prefix, **options)
            else:
                storage = MemoryStorage()
            limiter = _limiters[(url or "memory://", prefix)] = MovingWindowRateLimiter(storage)
    return limiter


def _room_in(limiter: MovingWindowRateLimiter, item: RateLimitItemPerSecond, *identifiers: str) -> float:
    """Seconds until the window has room for one more request: none when the oldest request left
    it since it was found full."""
    stats = limiter.get_window_stats(item, *identifiers)
    return 0.0 if stats.remaining > 0 else max(0.0, stats.reset_time - time.time())


def rate_limit_take(*, operation: str, key: str, rate: Rate) -> RateLimit:
    """Counts one request of ``operation`` by ``key`` when fewer than ``rate.count`` were counted in
    the last ``rate.seconds`` (a moving window); a refused request is not counted, and learns when
    the oldest counted one leaves the window. A request that comes at most ARRIVAL_JITTER early
    waits for that instead, so that a client keeping the rate is never refused for the network's
    jitter. Without the storage the request is allowed: an outage of the limiter must not become
    an outage of the API."""
    item = RateLimitItemPerSecond(rate.count, rate.seconds, namespace="studio")
    try:
        limiter = _limiter()
        allowed = limiter.hit(item, operation, key)
        if not allowed:
            wait = _room_in(limiter, item, operation, key)
            if wait <= ARRIVAL_JITTER:
                time.sleep(wait + 0.001)  # the window holds entries as old as its length
                allowed = limiter.hit(item, operation, key)
                wait = 0.0 if allowed else _room_in(limiter, item, operation, key)
    except CACHE_ERRORS as exc:
        cache_outage_log(operation=f"rate limit {operation}", error=exc)
        return RateLimit(allowed=True, operation=operation, rate=rate)
    if allowed:
        return RateLimit(allowed=True, operation=operation, rate=rate)
    # Rounded up to a tenth: a client that waits what the message says is let through.
    return RateLimit(allowed=False, operation=operation, rate=rate, retry_after=max(0.1, math.ceil(wait * 10) / 10))


def rate_limit_hit(*, owner, operation: str) -> RateLimit:
    """Counts one request of ``operation`` (a key of STUDIO_RATE_LIMITS) by ``owner`` against the
    account's limit (see rate_limit_take); an operation without a limit is always allowed."""
    text = settings.STUDIO_RATE_LIMITS.get(operation)
    if not text:
        return RateLimit(allowed=True, operation=operation)
    return rate_limit_take(operation=operation, key=account_key(owner), rate=rate_parse(text))


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
