"""What the studio keeps, and for how long: photos, input files and unused avatars deleted by one
hourly schedule (retention_sweep). Deleting means the files in storage too (studio.portraits.services.privacy).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.models import FINAL_STATES, Job

from ..artifacts import artifact_files
from ..models import Avatar, AvatarStatus, Photo
from .privacy import avatar_delete, file_delete

INPUTS_FOLDER = "inputs"
logger = logging.getLogger(__name__)
T = TypeVar("T")


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
        report.avatars = _each(unused.iterator(), _avatar_delete, what="avatar")
    return report


def _avatar_delete(avatar: Avatar) -> bool:
    avatar_delete(avatar=avatar)
    return True


def _each(rows: Iterable[T], action: Callable[[T], bool], *, what: str) -> int:
    """Runs ``action`` on every row, each in its own transaction; a row that fails is logged and
    skipped, so that one bad row (a file storage refuses, a row another process changed) never
    stops retention for every other account. Returns how many rows the action deleted."""
    deleted = 0
    for row in rows:
        try:
            with transaction.atomic():
                deleted += bool(action(row))
        except Exception:  # noqa: BLE001 - see the docstring; the next sweep tries the row again
            logger.exception("retention: could not delete %s %s; skipped", what, getattr(row, "pk", row))
    return deleted


def _training_photos_expired(now: datetime, inputs_before: datetime):
    # The reference photo stays while its avatar does: ID photos of an avatar are made from it.
    photos = Photo.objects.filter(avatar__isnull=False, is_reference=False)
    failed = Q(avatar__status=AvatarStatus.FAILED, created_at__lt=inputs_before)
    rule = settings.STUDIO_RETENTION_TRAINING_PHOTOS
    if rule == "trained":
        return photos.filter(Q(avatar__status=AvatarStatus.READY) | failed)
    return photos.filter(failed | Q(avatar__status=AvatarStatus.READY, created_at__lt=now - timedelta(days=int(rule))))


def _photos_delete(photos) -> int:
    return _each(photos.iterator(), _photo_delete, what="photo")


def _photo_delete(photo: Photo) -> bool:
    file_delete(photo.image.name)
    photo.delete()
    return True


def _input_files_delete(*, before: datetime) -> int:
    """Job input files (templates and images given by URL or upload) older than ``before``, except
    those of jobs that have not finished yet."""
    in_use = {
        value for job_input in Job.objects.exclude(state__in=FINAL_STATES).values_list("input", flat=True)
        for value in (job_input or {}).values() if isinstance(value, str)
    }
    def delete_if_expired(name: str) -> bool:
        if name in in_use or default_storage.get_modified_time(name) >= before:
            return False
        default_storage.delete(name)
        return True

    names = (f"{INPUTS_FOLDER}/{name}" for name in artifact_files(prefix=INPUTS_FOLDER))
    return _each(names, delete_if_expired, what="input file")
