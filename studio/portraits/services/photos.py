"""Checking photos: a check job over photos already in storage."""
from __future__ import annotations

from jobs.models import Job, JobKind
from jobs.services import job_submit

from ..models import Photo


def photos_check_submit(*, owner, photos: list[Photo], same_person: bool = True, source: str = "web",
                        app_id: str = "", idempotency_key: str | None = None) -> Job:
    return job_submit(
        owner=owner,
        kind=JobKind.CHECK,
        payload={"photos": [photo.id for photo in photos], "same_person": same_person},
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )
