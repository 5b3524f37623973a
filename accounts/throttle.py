"""Throttles of the account pages: who a log-in attempt counts against (django-axes does the
counting, in the database), and the cache-counted limits axes does not cover (password reset mails,
confirmation mails)."""
from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from studio.lib.ratelimit import CACHE_ERRORS, cache_outage_log, rate_parse


def client_address(request: HttpRequest) -> str:
    """The client's IP address. Behind STUDIO_PROXY_COUNT reverse proxies it is the address the
    outermost one saw, read from the right of X-Forwarded-For: a client can write anything on its left."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.STUDIO_PROXY_COUNT
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Fewer hops than proxies: the request came round the proxies, so only the peer is known.
    return hops[-proxies] if len(hops) >= proxies else remote


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a log-in attempt names, as the studio stores it (lower-cased), so that
    Alice@Example.com and alice@example.com count as one account (AXES_USERNAME_CALLABLE)."""
    if credentials:
        name = credentials.get("username") or credentials.get("email")
    else:
        name = request.POST.get("username")
    return name.strip().lower() if isinstance(name, str) else None


def throttle_allows(*, operation: str, key: str) -> bool:
    """Counts one request of ``operation`` (a key of STUDIO_RATE_LIMITS) by ``key`` (an address, an
    email, a user id) in a fixed window; False once the window's count passes the limit.

    A cache outage lets the request through, logged: refusing every password reset while Redis is
    down would lock people out of their accounts, and the limit only slows abuse down."""
    text = settings.STUDIO_RATE_LIMITS.get(operation)
    if not text:
        return True
    rate = rate_parse(text)
    window = math.floor(time.time() / rate.seconds)
    # Hashed: emails and addresses stay out of the cache's keys, which any length or character fits.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"throttle:{operation}:{digest}:{window}"
    try:
        cache.add(cache_key, 0, timeout=rate.seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=rate.seconds + 1)
            count = 1
    except CACHE_ERRORS as exc:
        cache_outage_log(operation=f"throttle {operation}", error=exc)  # once a minute, not per request
        return True
    return count <= rate.count


def password_reset_allowed(*, email: str, address: str) -> bool:
    """Counts a password reset request from ``address`` for ``email`` (known or not, so that the
    answer tells nothing); False past the limit of either."""
    if not throttle_allows(operation="accounts.password_reset_address", key=address):
        return False  # not counted against the account: one address cannot use up someone's resets
    return throttle_allows(operation="accounts.password_reset_account", key=email.strip().lower())
