"""Slots for the requests that wait for their job (the PAI check and create, DashScope's face
detection): each holds a server thread while its job runs, up to STUDIO_SYNC_WAIT seconds.

A web process lets at most STUDIO_SYNC_WAITERS of them wait at once, so that the threads it has
beyond those always serve the other endpoints: 50 creates waiting must not stall a job query. A
request that finds no slot is refused before it makes a job (nothing submitted, nothing charged)
and may be sent again. The slots are per process, as threads are.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


class SyncWaitersBusy(Exception):
    """Every waiting slot of this web process is taken."""


def _semaphore() -> threading.BoundedSemaphore:
    size = settings.STUDIO_SYNC_WAITERS
    with _lock:  # one semaphore per configured size: tests change the setting
        return _slots.setdefault(size, threading.BoundedSemaphore(size))


@contextmanager
def sync_wait_slot() -> Iterator[None]:
    """Holds one waiting slot for the block, or raises SyncWaitersBusy at once."""
    semaphore = _semaphore()
    if not semaphore.acquire(blocking=False):
        raise SyncWaitersBusy
    try:
        yield
    finally:
        semaphore.release()
