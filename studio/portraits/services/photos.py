"""Checking photos: a check job over photos already in storage."""
from __future__ import annotations

from jobs.models import Job, JobKind
from jobs.services import job_submit

from ..models import Photo


def photos_check_submit(*, owner, photos: list[Photo], same_person: bool = True, source: str = "web",
                        app_id: str = "", idempotency_key: str | None = None, against: list[Photo] = ()) -> Job:
    """``against``: photos already given for the same avatar, checked again with ``photos`` in one
    group so that a photo of someone else is found as it arrives (the engine's same-person check needs
    the group); those deleted before the job runs are left out."""
    payload = {"photos": [photo.id for photo in photos], "same_person": same_person or bool(against)}
    if against:
        payload["against"] = [photo.id for photo in against]
    return job_submit(
        owner=owner,
        kind=JobKind.CHECK,
        payload=payload,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )
