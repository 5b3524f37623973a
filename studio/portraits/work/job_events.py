"""What a finished job tells its owner's webhooks: the events' types and data, emitted once the
job's ending commits (the product subscribes to jobs' finished announcement in StudioConfig.ready).

Portraits are given by storage name under ``media``; delivery turns each into a signed ``url`` at
every send, so that a retry a day later still carries a URL that works.
"""
from __future__ import annotations

from django.db import transaction

from jobs.models import Job, JobKind, JobState
from studio.webhooks.models import WebhookEventType
from studio.webhooks.services import webhooks_emit

from ..likeness import likeness_basis, likeness_of
from ..services.jobs import job_avatar


def job_finished_webhooks(job: Job, state: JobState) -> None:
    """jobs' finished announcement: the events go out once the ending is committed."""
    transaction.on_commit(lambda: webhooks_job_finished(job=job), robust=True)


def webhooks_job_finished(*, job: Job) -> list:
    """Queues the events of a job that ended (succeeded, failed, canceled, given up) to the owner's
    endpoints and to the job's callback URL. Idempotent: a second call for the same ending queues nothing."""
    job = Job.objects.select_related("avatar_link__avatar", "owner").get(id=job.id)
    if not job.is_final:
        return []
    ended = (job.finished_at or job.updated_at).isoformat()
    created = []
    for event_type, data in job_events(job):
        created += webhooks_emit(owner=job.owner, type=event_type, data=data, job=job,
                                 seed=f"job:{job.id}:{event_type}:{ended}")
    return created


def job_events(job: Job) -> list[tuple[str, dict]]:
    """(type, data) pairs for a job that ended; none for a job still running."""
    if job.state == JobState.SUCCEEDED:
        return _succeeded(job)
    if job.state in (JobState.FAILED, JobState.CANCELED):
        events = [(WebhookEventType.JOB_FAILED.value, _failure(job))]
        if job.kind == JobKind.TRAIN and job_avatar(job):
            events.insert(0, (WebhookEventType.AVATAR_FAILED.value, _failure(job) | _avatar(job)))
        return events
    return []


def _succeeded(job: Job) -> list[tuple[str, dict]]:
    if job.kind == JobKind.TRAIN and job_avatar(job):
        data = _base(job) | _avatar(job) | {"photos_used": (job.result or {}).get("photos_used")}
        return [(WebhookEventType.AVATAR_TRAINED.value, data)]
    if job.kind in (JobKind.CREATE, JobKind.IDPHOTO):
        data = _base(job) | {"portraits": _portraits(job)}
        if (job.result or {}).get("note"):  # why fewer portraits than asked were made
            data["note"] = job.result["note"]
        data |= _compliance(job)
        return [(WebhookEventType.PORTRAIT_CREATED.value, data)]
    if job.kind == JobKind.STYLIZE:
        data = _base(job) | {"portraits": _portraits(job), "style_key": (job.result or {}).get("style_key")}
        return [(WebhookEventType.STYLIZATION_CREATED.value, data)]
    return []  # a check answers at once on every API: no event


def _base(job: Job) -> dict:
    return {"job_id": job.id, "kind": job.kind, "state": job.state}


def _avatar(job: Job) -> dict:
    avatar = job_avatar(job)
    return {"model_id": str(avatar.model_id), "name": avatar.name} if avatar else {}


def _failure(job: Job) -> dict:
    return _base(job) | {"error_code": job.error_code, "error_message": job.error_message} | _compliance(job)


def _compliance(job: Job) -> dict:
    """An ID photo's compliance report (also of a photo refused for failing it) and whether it is a draft."""
    result = job.result or {}
    if job.kind != JobKind.IDPHOTO or "compliance" not in result:
        return {}
    return {"compliance": result["compliance"], "draft": bool(result.get("draft"))}


def _portraits(job: Job) -> list[dict]:
    return [
        {
            "id": portrait.id,
            "rank": portrait.rank,
            "width": portrait.width,
            "height": portrait.height,
            # Mean face-embedding distance to the avatars: lower is more alike, the same person under ~0.6.
            "identity_distance": portrait.identity_distance,
            "identity_score": None if portrait.identity_distance is None
            else round(max(0.0, 1.0 - portrait.identity_distance), 4),
            # What people read (studio.portraits.likeness): percent, five-step word, and its basis.
            "likeness": _likeness(portrait.identity_distance, job.kind),
            "media": portrait.image.name,
            "warnings": portrait.warnings,
        }
        for portrait in job.portraits.order_by("rank", "id")
    ]


def _likeness(distance: float | None, kind: str) -> dict | None:
    likeness = likeness_of(distance, basis=likeness_basis(kind))
    return likeness and likeness.as_dict()
