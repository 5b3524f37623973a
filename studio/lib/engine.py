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
    try:
        return get_backend(settings.STUDIO_ENGINE)
    except (EngineError, ImportError) as exc:
        # The diffusion extra not installed on this machine: the process still works, on the CPU.
        log.warning("engine backend %s unavailable (%s); using classic", settings.STUDIO_ENGINE, exc)
        return get_backend("classic")


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
