"""What each kind of job does: the registry that maps a job kind to its handler.

A handler does the work and returns an ``Outcome``; the state machine (jobs.services) decides
whether that outcome may still be committed. Handlers live with the product code they touch and
register themselves (``handler_register``) when their app is ready: jobs names none of them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import Job


class JobError(Exception):
    """An expected failure with a code and a message meant for the customer."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _nothing() -> None:
    return None


@dataclass
class Outcome:
    result: dict
    # Database writes that make the outputs visible; run in the transaction that marks success.
    on_success: Callable[[], None] = _nothing
    # Clean-up of outputs already in storage, when the job was let go before it could succeed.
    on_discard: Callable[[], None] = _nothing


class Handler(Protocol):
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome: ...

    def failed(self, job: Job) -> None:
        """The job ended without success (failed, canceled, given up): update what depends on it."""

    def retried(self, job: Job) -> None:
        """The job was sent back to the queue by an admin."""


_handlers: dict[str, Handler] = {}


def handler_register(*, kind: str, handler: Handler) -> None:
    """Called by the app that does a kind of work, in its AppConfig.ready()."""
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise ValueError(f"No handler for jobs of kind {kind!r}.") from None
