"""The engine backend this process uses (settings.STUDIO_ENGINE), built once per process."""
from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from engine.backends import Backend, get_backend


@lru_cache(maxsize=1)
def engine_backend() -> Backend:
    return get_backend(settings.STUDIO_ENGINE)
