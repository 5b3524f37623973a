"""The job state machine: submit, claim, progress, finish, cancel, retry and reap.

States go queued -> running -> succeeded | failed | canceled. Every transition is a conditional
UPDATE, and a running job is fenced by its attempt number: a worker that lost its lease (reaped,
canceled) can no longer write to the job, so a duplicate or late delivery changes nothing.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from engine.errors import EngineError

from .events import job_finished_announce, job_submitted_announce
from .handlers import JobError, Outcome, handler_for
from .models import Job, JobKind, JobState
from .queue import job_enqueue, queue_check

log = logging.getLogger(__name__)

WORKER_LOST_CODE = "worker_lost"
INTERNAL_CODE = "internal"
OUT_OF_MEMORY_CODE = "out_of_memory"
OUT_OF_MEMORY_MESSAGE = "The job needed more memory than the studio allows for one job; try smaller images."


class JobAbandoned(Exception):
    """The job was canceled or re-queued while this worker ran it: stop and write nothing."""


def _state_logged(job: Job, state: str, *, attempt: int | None = None) -> None:
    """The one log line of a state change, as operators follow a job across web and workers."""
    log.info("job state", extra={"job_id": job.id, "kind": job.kind, "state": state,
                                 "attempt": job.attempts if attempt is None else attempt})


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.STUDIO_JOB_LEASE)


def job_submit(
    *,
    owner,
    kind: JobKind,
    payload: dict,
    source: str = "web",
    app_id: str = "",
    idempotency_key: str | None = None,
    priority: int = 0,
    linked: Callable[[Job], None] | None = None,
) -> Job:
    """Creates a queued job and enqueues it once the surrounding transaction commits.

    ``linked(job)`` writes what the caller keeps about the new job (portraits links it to its avatar)
    in the same transaction, before the submission is announced: billing's charge comes last,
    so that the account row it locks stays locked for as short a time as can be.

    With an idempotency key, a second submission returns the first job instead of a new one.
    The submission is announced in the same transaction (jobs.events): billing reserves the job's
    price there, and raises QuotaExceeded when the account cannot pay; then no job exists.

    The broker is asked first: QueueUnavailable (nothing created or charged) while it is down, so
    that each API can tell its client to try again. If it fails after the commit instead, the job
    stays queued and the reaper sends it; a "try again" then would make a second, charged job.
    """
    if idempotency_key:
        existing = Job.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    queue_check(kind=kind)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                owner=owner,
                kind=kind,
                input=payload,
                source=source,
                app_id=app_id,
                idempotency_key=idempotency_key or None,
                priority=priority,
            )
            if linked is not None:
                linked(job)
            job_submitted_announce(job)
            transaction.on_commit(lambda: job_enqueue(job=job))
    except IntegrityError:
        if not idempotency_key:
            raise
        # Two submissions with the same key raced; the other one won.
        return Job.objects.get(owner=owner, idempotency_key=idempotency_key)
    _state_logged(job, JobState.QUEUED)
    return job


def job_claim(*, job_id: int) -> Job | None:
    """queued -> running for exactly one worker; None when the job is not (or no longer) queued."""
    now = timezone.now()
    claimed = Job.objects.filter(id=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        attempts=F("attempts") + 1,
        lease_expires_at=_lease_end(now),
        started_at=now,
        progress=0,
        updated_at=now,
    )
    if not claimed:
        return None
    job = Job.objects.get(id=job_id)
    _state_logged(job, JobState.RUNNING)
    return job


def _fenced(job: Job):
    """The job's row, only while this worker's attempt still owns it."""
    return Job.objects.filter(id=job.id, state=JobState.RUNNING, attempts=job.attempts)


@dataclass
class ProgressReporter:
    """Writes the engine's progress to the job and renews the lease; stops a job that was let go."""

    job: Job
    last_percent: int = -1
    last_write: float = field(default_factory=time.monotonic)

    def __call__(self, fraction: float) -> None:
        percent = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        if percent == self.last_percent and now - self.last_write < settings.STUDIO_JOB_LEASE / 3:
            return
        self.last_percent, self.last_write = percent, now
        moment = timezone.now()
        if not _fenced(self.job).update(progress=percent, lease_expires_at=_lease_end(moment), updated_at=moment):
            raise JobAbandoned()


def job_run(*, job_id: int) -> Job | None:
    """The whole life of one delivery: claim, run the kind's handler, finish. Never raises."""
    job = job_claim(job_id=job_id)
    if job is None:
        log.info("job %s: not queued any more, delivery ignored", job_id)
        return None
    handler = handler_for(job.kind)
    started = time.monotonic()
    try:
        outcome = handler.run(job, ProgressReporter(job))
    except JobAbandoned:
        log.info("job %s: let go while running (canceled or re-queued)", job.id)
        return None
    except JobError as exc:
        job_fail(job=job, code=exc.code, message=exc.message, cost_time=time.monotonic() - started)
    except EngineError as exc:
        job_fail(job=job, code=exc.code.value, message=exc.message, cost_time=time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - a worker must survive any handler bug and record it
        if _out_of_memory(exc):
            # Past the worker's cap (STUDIO_JOB_MAX_MEMORY): this job fails, the worker lives on.
            log.warning("job %s: out of memory (cap %s bytes): %s", job.id, settings.STUDIO_JOB_MAX_MEMORY, exc)
            code, message = OUT_OF_MEMORY_CODE, OUT_OF_MEMORY_MESSAGE
        else:
            log.exception("job %s: handler crashed", job.id)
            code, message = INTERNAL_CODE, "The job failed because of an internal error; it has been logged."
        job_fail(job=job, code=code, message=message, cost_time=time.monotonic() - started)
    else:
        job_succeed(job=job, outcome=outcome, cost_time=time.monotonic() - started)
    job.refresh_from_db()
    return job


def _out_of_memory(exc: Exception) -> bool:
    """A failed allocation: Python's and numpy's MemoryError, or OpenCV's cv2.error with code -4
    (StsNoMem, "Insufficient memory"); cv2 is the engine's, so it is recognised without an import."""
    return isinstance(exc, MemoryError) or (type(exc).__module__ == "cv2" and getattr(exc, "code", None) == -4)


def job_succeed(*, job: Job, outcome: Outcome, cost_time: float) -> bool:
    now = timezone.now()
    with transaction.atomic():
        done = _fenced(job).update(
            state=JobState.SUCCEEDED,
            progress=100,
            result=outcome.result,
            cost_time=round(cost_time, 3),
            finished_at=now,
            lease_expires_at=None,
            updated_at=now,
        )
        if done:
            outcome.on_success()
            job_finished_announce(job, JobState.SUCCEEDED)
    if done:
        _state_logged(job, JobState.SUCCEEDED)
    else:
        outcome.on_discard()
    return bool(done)


def job_fail(*, job: Job, code: str, message: str, cost_time: float | None = None) -> bool:
    """running -> failed for the worker that holds the job."""
    now = timezone.now()
    with transaction.atomic():
        done = _fenced(job).update(
            state=JobState.FAILED,
            error_code=code,
            error_message=message,
            cost_time=round(cost_time, 3) if cost_time is not None else None,
            finished_at=now,
            lease_expires_at=None,
            updated_at=now,
        )
        if done:
            handler_for(job.kind).failed(job)
            job_finished_announce(job, JobState.FAILED)
    if done:
        _state_logged(job, JobState.FAILED)
    return bool(done)


def job_cancel(*, job: Job) -> bool:
    """Cancels a queued or running job; a running worker notices at its next progress report."""
    now = timezone.now()
    with transaction.atomic():
        done = Job.objects.filter(id=job.id, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
            state=JobState.CANCELED,
            error_code="canceled",
            error_message="The job was canceled.",
            finished_at=now,
            lease_expires_at=None,
            updated_at=now,
        )
        if done:
            handler_for(job.kind).failed(job)
            job_finished_announce(job, JobState.CANCELED)
    job.refresh_from_db()
    if done:
        _state_logged(job, JobState.CANCELED)
    return bool(done)


def job_retry(*, job: Job) -> bool:
    """An admin's retry: a failed or canceled job goes back to the queue with fresh attempts.

    attempts keeps counting (a worker of an earlier attempt must stay fenced out); the limit moves.
    """
    now = timezone.now()
    with transaction.atomic():
        done = Job.objects.filter(id=job.id, state__in=[JobState.FAILED, JobState.CANCELED]).update(
            state=JobState.QUEUED,
            max_attempts=F("attempts") + settings.STUDIO_JOB_MAX_ATTEMPTS,
            progress=0,
            result=None,
            error_code="",
            error_message="",
            finished_at=None,
            updated_at=now,
        )
        if done:
            handler_for(job.kind).retried(job)
            transaction.on_commit(lambda: job_enqueue(job=job))
    job.refresh_from_db()
    if done:
        _state_logged(job, JobState.QUEUED)
    return bool(done)


@dataclass
class ReapReport:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    reenqueued: list[int] = field(default_factory=list)


def jobs_reap(*, now: datetime | None = None) -> ReapReport:
    """Re-queues running jobs whose lease ran out (their worker died), up to the attempt limit,
    then fails them; re-sends queued jobs that no worker picked up within a lease (a lost message)."""
    now = now or timezone.now()
    report = ReapReport()
    for job in Job.objects.filter(state=JobState.RUNNING, lease_expires_at__lt=now):
        try:
            _expired_reap(job, now=now, report=report)
        except Exception:  # noqa: BLE001 - one bad row (a handler's failure) must not stop the reaper for all
            log.exception("reaper: could not reap job %s; skipped until the next pass", job.id)
    stale = now - timedelta(seconds=settings.STUDIO_JOB_LEASE)
    # Queued jobs nobody took within a lease: a lost message, or a submission whose enqueue found
    # the broker down after the job had committed (job_enqueue leaves those to this pass).
    for job in Job.objects.filter(state=JobState.QUEUED, updated_at__lt=stale):
        # Touch the row so that a long queue is re-sent once per lease, not on every pass.
        if Job.objects.filter(id=job.id, state=JobState.QUEUED, updated_at__lt=stale).update(updated_at=now):
            if not job_enqueue(job=job):
                break  # the broker is still down: the next pass tries again
            report.reenqueued.append(job.id)
    return report


def _expired_reap(job: Job, *, now: datetime, report: ReapReport) -> None:
    """A running job whose lease ran out: back to the queue, or failed and refunded at the limit."""
    if job.attempts < job.max_attempts:
        with transaction.atomic():
            if _fenced(job).filter(lease_expires_at__lt=now).update(
                state=JobState.QUEUED, lease_expires_at=None, progress=0, updated_at=now
            ):
                report.requeued.append(job.id)
                transaction.on_commit(lambda: job_enqueue(job=job))
        if job.id in report.requeued:
            _state_logged(job, JobState.QUEUED)
        return
    message = (
        f"The job was interrupted {job.attempts} times (its worker stopped before finishing) "
        "and has been given up."
    )
    with transaction.atomic():
        if _fenced(job).filter(lease_expires_at__lt=now).update(
            state=JobState.FAILED,
            error_code=WORKER_LOST_CODE,
            error_message=message,
            finished_at=now,
            lease_expires_at=None,
            updated_at=now,
        ):
            handler_for(job.kind).failed(job)
            job_finished_announce(job, JobState.FAILED)
            report.failed.append(job.id)
    if job.id in report.failed:
        _state_logged(job, JobState.FAILED)


# A wait polls every WAIT_POLL seconds at first (most checks finish in a second or two), then less
# often, up to WAIT_POLL_MAX apart: a job of minutes needs no answer within a fifth of a second.
WAIT_POLL, WAIT_POLL_MAX, WAIT_POLL_GROWTH = 0.2, 1.0, 1.25


def _pooled() -> bool:
    """Whether this process's connections come from a pool (STUDIO_DB_POOL, PostgreSQL)."""
    return bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))


def job_wait(*, job_id: int, timeout: float, poll: float = WAIT_POLL,
             sleep: Callable[[float], None] = time.sleep) -> Job:
    """Polls until the job is final or the timeout passes; returns the job as last read.

    Between polls the request gives its database connection back (outside a transaction): dozens
    of requests may wait at once, and each holding a connection for minutes would exhaust
    PostgreSQL's connections, or the web process's pool, while doing nothing. From a pool that
    costs nothing, so it is done at every poll; a connection of its own is only closed once the
    polls are a second apart (opening one costs a few milliseconds)."""
    deadline = time.monotonic() + timeout
    while True:
        job = Job.objects.get(id=job_id)
        left = deadline - time.monotonic()
        if job.is_final or left <= 0:
            return job
        if (_pooled() or poll >= WAIT_POLL_MAX) and not connection.in_atomic_block:
            connection.close()
        sleep(min(poll, left))
        poll = min(poll * WAIT_POLL_GROWTH, WAIT_POLL_MAX)
