"""Loading a job's inputs from storage, in the order the request gave them."""
from __future__ import annotations

from django.core.files.storage import default_storage

from jobs.handlers import JobError
from jobs.models import Job

from ..models import Avatar, AvatarStatus, Photo

MODEL_NOT_FOUND = "model not found"


def job_photos(job: Job) -> list[Photo]:
    ids = [int(i) for i in job.input.get("photos", [])]
    found = {photo.id: photo for photo in Photo.objects.filter(owner=job.owner, id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise JobError("photo_not_found", "Some photos of this job were deleted before it ran.")
    return [found[i] for i in ids]


def photo_bytes(photo: Photo) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


def storage_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def job_avatars(job: Job) -> list[Avatar]:
    """The job's avatars, in the order given; each must still exist, be the owner's, and be ready."""
    wanted = [str(model_id) for model_id in job.input.get("model_ids", [])]
    found = {
        str(avatar.model_id): avatar
        for avatar in Avatar.objects.filter(owner=job.owner, model_id__in=wanted, status=AvatarStatus.READY)
    }
    if len(found) != len(set(wanted)):
        raise JobError("avatar_not_found", MODEL_NOT_FOUND)
    return [found[model_id] for model_id in wanted]
