"""What each kind of job does: the registry that maps a job kind to its handler.

A handler does the work and returns an ``Outcome``; the state machine (jobs.services) decides
whether that outcome may still be committed. Handlers live with the product code they touch.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Job

HANDLERS = {
    "check": "studio.work.checking.CheckHandler",
    "train": "studio.work.training.TrainHandler",
    "create": "studio.work.creation.CreateHandler",
    "stylize": "studio.work.styling.StylizeHandler",
    "idphoto": "studio.work.styling.IdPhotoHandler",
}


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


def handler_for(kind: str) -> Handler:
    try:
        return import_string(HANDLERS[kind])()
    except KeyError:
        raise ValueError(f"No handler for jobs of kind {kind!r}.") from None
