"""Avatars: training one from photos."""
from __future__ import annotations

from django.db import transaction

from jobs.models import Job, JobKind

from ..models import Avatar, Photo
from .jobs import avatar_job_submit


@transaction.atomic
def avatar_train_submit(*, owner, photos: list[Photo], name: str = "", options: dict | None = None,
                        source: str = "web", app_id: str = "", idempotency_key: str | None = None) -> tuple[Avatar, Job]:
    """Creates the avatar (status training) at once, so that its model_id can be answered now."""
    avatar = Avatar.objects.create(owner=owner, name=name)
    Photo.objects.filter(id__in=[photo.id for photo in photos], owner=owner).update(avatar=avatar)
    job = avatar_job_submit(
        owner=owner,
        kind=JobKind.TRAIN,
        payload={"photos": [photo.id for photo in photos], "options": options or {}},
        avatar=avatar,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )
    return avatar, job
