"""The engine endpoints of one process: a client and a breaker each, and the choice of where new work
goes (the least-loaded endpoint that is enabled and whose breaker is closed). Loads come from the
monitor, so that every worker process of the front sees the work of the others."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import EngineError, ErrorCode
from .breaker import Breaker
from .client import PaiClient
from .endpoints import Endpoint
from .monitor import LocalMonitor, Monitor
from .transport import Transport

NO_ENDPOINT = "No engine endpoint is answering at the moment; the work was not done and can be tried again."
REFRESH_SECONDS = 15.0  # how often endpoints added or switched off in the admin are read


class Pool:
    def __init__(self, endpoints: Sequence[Endpoint], *, transport: Transport, monitor: Monitor | None = None,
                 **client_options) -> None:
        self.monitor = monitor or LocalMonitor()
        self._transport = transport
        self._client_options = client_options
        self._configured = list(endpoints)
        self.clients: dict[str, PaiClient] = {}
        self._disabled: set[str] = set()
        self._lock = threading.Lock()
        self._refreshed = 0.0
        self.refresh()
        if not self.clients:
            raise EngineError(ErrorCode.INVALID_OPTION, "The remote engine needs at least one endpoint.")

    def refresh(self) -> None:
        """Adds endpoints the monitor knows of; an endpoint's client (and breaker) is kept while it stays."""
        with self._lock:
            for endpoint in [*self._configured, *self.monitor.endpoints()]:
                known = self.clients.get(endpoint.name)
                if known is None or known.endpoint != endpoint:
                    self.clients[endpoint.name] = PaiClient(endpoint, self._transport, known.breaker if known else
                                                            Breaker(), monitor=self.monitor, **self._client_options)
            self._disabled = self.monitor.disabled()
            self._refreshed = time.monotonic()

    def client(self, name: str) -> PaiClient | None:
        return self.clients.get(name)

    def ranked(self, *, exclude: Sequence[str] = ()) -> list[PaiClient]:
        """Endpoints for new work, least loaded first; switched off or resting ones are left out."""
        if time.monotonic() - self._refreshed > REFRESH_SECONDS:
            self.refresh()
        loads = self.monitor.loads()
        names = [n for n, c in self.clients.items()
                 if n not in exclude and n not in self._disabled and not c.breaker.is_open]
        return [self.clients[n] for n in sorted(names, key=lambda n: loads.get(n, 0))]

    @contextmanager
    def busy(self, client: PaiClient) -> Iterator[PaiClient]:
        work = self.monitor.started(client.endpoint.name)
        try:
            yield client
        finally:
            self.monitor.ended(client.endpoint.name, work)
