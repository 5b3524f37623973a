"""A circuit breaker per endpoint: after ``threshold`` failures in a row the endpoint is left alone for
``cooldown`` seconds, then one trial request decides (half-open). It also keeps the last errors, for the admin."""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Breaker:
    threshold: int = 3
    cooldown: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    errors: deque = field(default_factory=lambda: deque(maxlen=10))  # (unix time, message)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allows(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at >= self.cooldown:
                self.opened_at = time.monotonic()  # half-open: this caller tries; others wait another cooldown
                return True
            return False

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None

    def failed(self, message: str) -> None:
        with self._lock:
            self.failures += 1
            self.errors.append((time.time(), message))
            if self.failures >= self.threshold:
                self.opened_at = time.monotonic()

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and time.monotonic() - self.opened_at < self.cooldown
