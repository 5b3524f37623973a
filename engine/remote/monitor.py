"""What the remote backend tells and asks the place that keeps endpoints' state across processes (the
studio's database): work started and ended, answers and failures, avatars trained again elsewhere, and
endpoints added by an operator since start-up. ``LocalMonitor`` keeps it all in this process."""
from __future__ import annotations

import threading
from typing import Protocol

from .endpoints import Endpoint


class Monitor(Protocol):
    def started(self, endpoint: str) -> object:
        """Work begins there; what it returns is given back to ``ended``."""
        ...

    def ended(self, endpoint: str, work: object = None) -> None: ...

    def answered(self, endpoint: str) -> None: ...

    def failed(self, endpoint: str, message: str) -> None: ...

    def loads(self) -> dict[str, int]:
        """Work in flight on each endpoint, from every process that reports here."""
        ...

    def route_get(self, endpoint: str, model_id: str) -> tuple[str, str] | None:
        """Where an avatar trained on (endpoint, model_id) lives now, if it was trained again elsewhere."""
        ...

    def route_put(self, old: tuple[str, str], new: tuple[str, str]) -> None: ...

    def endpoints(self) -> list[Endpoint]:
        """Endpoints added since start-up (by an operator, in the admin); disabled ones are left out."""
        ...

    def disabled(self) -> set[str]:
        """Endpoints an operator switched off: no new work goes there."""
        ...


class LocalMonitor:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loads: dict[str, int] = {}
        self._routes: dict[tuple[str, str], tuple[str, str]] = {}

    def started(self, endpoint: str) -> None:
        with self._lock:
            self._loads[endpoint] = self._loads.get(endpoint, 0) + 1

    def ended(self, endpoint: str, work: object = None) -> None:
        with self._lock:
            self._loads[endpoint] = self._loads.get(endpoint, 1) - 1

    def answered(self, endpoint: str) -> None:
        return None

    def failed(self, endpoint: str, message: str) -> None:
        return None

    def loads(self) -> dict[str, int]:
        with self._lock:
            return dict(self._loads)

    def route_get(self, endpoint: str, model_id: str) -> tuple[str, str] | None:
        return self._routes.get((endpoint, model_id))

    def route_put(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        self._routes[old] = new

    def endpoints(self) -> list[Endpoint]:
        return []

    def disabled(self) -> set[str]:
        return set()
