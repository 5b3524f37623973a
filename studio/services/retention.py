"""What the studio keeps, and for how long: photos, input files and unused avatars deleted by one
hourly schedule (retention_sweep). Deleting means the files in storage too (studio.services.privacy).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.models import FINAL_STATES, Job

from ..artifacts import artifact_files
from ..models import Avatar, AvatarStatus, Photo
from .privacy import avatar_delete, file_delete

INPUTS_FOLDER = "inputs"


@dataclass
class RetentionReport:
    training_photos: int = 0
    request_photos: int = 0
    input_files: int = 0
    avatars: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def retention_sweep(*, now: datetime | None = None) -> RetentionReport:
    """Everything the STUDIO_RETENTION_* settings no longer keep, as of ``now``."""
    now = now or timezone.now()
    inputs_before = now - timedelta(days=settings.STUDIO_RETENTION_INPUT_DAYS)
    report = RetentionReport()
    report.training_photos = _photos_delete(_training_photos_expired(now, inputs_before))
    # Check-only and train-free requests: photos that never joined an avatar.
    report.request_photos = _photos_delete(Photo.objects.filter(avatar__isnull=True, created_at__lt=inputs_before))
    report.input_files = _input_files_delete(before=inputs_before)
    days = settings.STUDIO_RETENTION_AVATAR_UNUSED_DAYS
    if days:
        unused = Avatar.objects.exclude(status=AvatarStatus.TRAINING).annotate(
            used_at=Coalesce("last_used_at", "trained_at", "created_at")
        ).filter(used_at__lt=now - timedelta(days=days))
        for avatar in unused:
            avatar_delete(avatar=avatar)
            report.avatars += 1
    return report


def _training_photos_expired(now: datetime, inputs_before: datetime):
    # The reference photo stays while its avatar does: ID photos of an avatar are made from it.
    photos = Photo.objects.filter(avatar__isnull=False, is_reference=False)
    failed = Q(avatar__status=AvatarStatus.FAILED, created_at__lt=inputs_before)
    rule = settings.STUDIO_RETENTION_TRAINING_PHOTOS
    if rule == "trained":
        return photos.filter(Q(avatar__status=AvatarStatus.READY) | failed)
    return photos.filter(failed | Q(avatar__status=AvatarStatus.READY, created_at__lt=now - timedelta(days=int(rule))))


def _photos_delete(photos) -> int:
    count = 0
    for photo in photos.iterator():
        file_delete(photo.image.name)
        photo.delete()
        count += 1
    return count


def _input_files_delete(*, before: datetime) -> int:
    """Job input files (templates and images given by URL or upload) older than ``before``, except
    those of jobs that have not finished yet."""
    in_use = {
        value for job_input in Job.objects.exclude(state__in=FINAL_STATES).values_list("input", flat=True)
        for value in (job_input or {}).values() if isinstance(value, str)
    }
    count = 0
    for name in artifact_files(prefix=INPUTS_FOLDER):
        stored = f"{INPUTS_FOLDER}/{name}"
        if stored not in in_use and default_storage.get_modified_time(stored) < before:
            default_storage.delete(stored)
            count += 1
    return count
