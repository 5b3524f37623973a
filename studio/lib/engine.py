"""The engine backend this process uses (settings.STUDIO_ENGINE), built once per process, and the
classic fallback for work the configured backend has no models for (and says so)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from django.conf import settings

from engine.backends import Backend, get_backend
from engine.errors import EngineError, ErrorCode

log = logging.getLogger(__name__)
T = TypeVar("T")


@lru_cache(maxsize=1)
def engine_backend() -> Backend:
    if settings.STUDIO_ENGINE == "remote":
        return remote_backend()
    try:
        return get_backend(settings.STUDIO_ENGINE)
    except (EngineError, ImportError) as exc:
        # The diffusion extra not installed on this machine: the process still works, on the CPU.
        log.warning("engine backend %s unavailable (%s); using classic", settings.STUDIO_ENGINE, exc)
        return get_backend("classic")


# The remote backend's shared state (health, load, routes, endpoints added in the admin): the app
# that keeps it registers a factory when it is ready (studio.engines), so that lib imports no app.
_remote_monitor: list[Callable[[], object]] = []


def remote_monitor_register(factory: Callable[[], object]) -> None:
    _remote_monitor[:] = [factory]


def remote_backend() -> Backend:
    """The engine studios of STUDIO_REMOTE_ENDPOINTS (and the admin's), reached through the outbound module."""
    from engine.remote import RemoteBackend, endpoints_parse

    return RemoteBackend(
        endpoints_parse(settings.STUDIO_REMOTE_ENDPOINTS), transport=remote_transport,
        monitor=_remote_monitor[0]() if _remote_monitor else None,
        timeout=settings.STUDIO_REMOTE_TIMEOUT, create_timeout=settings.STUDIO_REMOTE_CREATE_TIMEOUT,
        lost_after=settings.STUDIO_REMOTE_LOST_AFTER,
    )


def remote_transport(url: str, *, content: bytes, headers: dict[str, str], timeout: float):
    """engine.remote's transport: the outbound module, with private addresses allowed because only the
    operator's endpoints come here (customer URLs go through images_fetch, which refuses them)."""
    from engine.remote import Answer, TransportError
    from studio.lib.outbound import OutboundError, limits_from_settings, url_exchange

    # A create's answer is the portrait in base64 inside JSON: room for the largest image plus a third.
    limits = limits_from_settings(allow_private=True, timeout=timeout, content_types=(),
                                  max_bytes=2 * settings.STUDIO_FETCH_MAX_BYTES)
    try:
        exchanged = url_exchange(url, content=content, headers=headers, limits=limits)
    except OutboundError as exc:
        raise TransportError(exc.message) from None
    return Answer(status=exchanged.status, content=exchanged.content)


@lru_cache(maxsize=1)
def classic_backend() -> Backend:
    return get_backend("classic")


@dataclass(frozen=True)
class Made(Generic[T]):
    value: T
    backend: str  # the name of the backend that did the work
    note: str = ""  # why it was not the configured one, in words for the customer


def engine_work(work: Callable[[Backend], T]) -> Made[T]:
    """``work`` on the configured backend; where that backend lacks its models (MODEL_MISSING:
    weights not fetched on this machine), on the classic backend, with the reason in ``note``."""
    backend = engine_backend()
    try:
        return Made(work(backend), backend.name)
    except EngineError as exc:
        if exc.code != ErrorCode.MODEL_MISSING or backend.name == "classic":
            raise
        log.warning("%s backend: %s; the classic engine does it", backend.name, exc.message)
        return Made(work(classic_backend()), "classic",
                    f"Made by the classic engine: the {backend.name} engine is not set up here ({exc.message})")
