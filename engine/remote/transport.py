"""What the remote client needs from HTTP, given to it by the caller: the engine opens no socket itself,
so the studio's outbound module (timeouts, size limits, address checks) carries every byte."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Answer:
    status: int
    content: bytes


class TransportError(Exception):
    """The request did not get an answer (refused, unreachable, timed out, too large)."""


class Transport(Protocol):
    def __call__(self, url: str, *, content: bytes, headers: dict[str, str], timeout: float) -> Answer:
        """POSTs ``content`` to ``url`` and returns the whole answer, or raises TransportError."""
        ...
