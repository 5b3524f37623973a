"""The engine endpoints of one process: a client and a breaker each, the work in flight on each, and
the choice of where new work goes (the least-loaded endpoint whose breaker is closed)."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import EngineError, ErrorCode
from .breaker import Breaker
from .client import PaiClient
from .endpoints import Endpoint
from .transport import Transport

NO_ENDPOINT = "No engine endpoint is answering at the moment; the work was not done and can be tried again."


class Pool:
    def __init__(self, endpoints: Sequence[Endpoint], *, transport: Transport, **client_options) -> None:
        if not endpoints:
            raise EngineError(ErrorCode.INVALID_OPTION, "The remote engine needs at least one endpoint.")
        self.clients = {e.name: PaiClient(e, transport, Breaker(), **client_options) for e in endpoints}
        self.load = {name: 0 for name in self.clients}
        self._lock = threading.Lock()

    def client(self, name: str) -> PaiClient | None:
        return self.clients.get(name)

    def ranked(self, *, exclude: Sequence[str] = ()) -> list[PaiClient]:
        """Endpoints for new work, least loaded first; those resting after failures are left out."""
        with self._lock:
            names = sorted((n for n in self.clients if n not in exclude and not self.clients[n].breaker.is_open),
                           key=lambda n: self.load[n])
        return [self.clients[n] for n in names]

    @contextmanager
    def busy(self, client: PaiClient) -> Iterator[PaiClient]:
        name = client.endpoint.name
        with self._lock:
            self.load[name] += 1
        try:
            yield client
        finally:
            with self._lock:
                self.load[name] -= 1
