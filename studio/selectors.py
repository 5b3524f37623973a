"""Reads of the product shared by several views; every one is scoped to its owner."""
from __future__ import annotations

import uuid

from jobs.models import Job

from .models import Avatar


def avatar_get_for(*, owner, model_id: str) -> Avatar | None:
    try:
        key = uuid.UUID(str(model_id))
    except ValueError:
        return None
    return Avatar.objects.filter(owner=owner, model_id=key).first()


def job_get_for(*, owner, job_id: int) -> Job | None:
    return Job.objects.filter(owner=owner, id=job_id).select_related("avatar").first()
