"""What the job state machine announces, for the apps above it to act on.

- submitted: inside the transaction that creates a job. A listener may refuse the job by raising
  (billing does, with QuotaExceeded, when the account cannot pay): then no job exists.
- finished: inside the transaction that ends a job (succeeded, failed, canceled, given up), with
  its final state. Billing captures or releases the job's price; the product queues its webhooks.

Billing, webhooks and the product subscribe in their AppConfig.ready(); jobs imports none of them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Job, JobState

SubmittedListener = Callable[["Job"], None]
FinishedListener = Callable[["Job", "JobState"], None]

_submitted: list[SubmittedListener] = []
_finished: list[FinishedListener] = []


def job_submitted_subscribe(listener: SubmittedListener) -> None:
    if listener not in _submitted:  # ready() may run twice in one process (tests, management commands)
        _submitted.append(listener)


def job_finished_subscribe(listener: FinishedListener) -> None:
    if listener not in _finished:
        _finished.append(listener)


def job_submitted_announce(job: Job) -> None:
    for listener in _submitted:
        listener(job)


def job_finished_announce(job: Job, state: JobState) -> None:
    for listener in _finished:
        listener(job, state)
