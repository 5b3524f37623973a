"""Delete my data: a customer's photos, avatars, private templates, portraits and job inputs are
removed from storage, then the account itself (its rows go with it by cascade)."""
from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import transaction

from jobs.models import FINAL_STATES, Job
from jobs.services import job_cancel

from ..artifacts import artifact_delete
from ..models import Avatar, Photo, Portrait, Template

log = logging.getLogger(__name__)

# Folders whose files carry the owner's id in their path (studio.models, intake.upload_store, artifacts).
OWNER_FOLDERS = ("photos", "portraits", "inputs", "avatars")


def _folder_delete(prefix: str) -> None:
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        _folder_delete(f"{prefix}/{folder}")


def account_delete(*, user) -> None:
    """Cancels the user's unfinished jobs, deletes every stored file of theirs, then the account."""
    for job in Job.objects.filter(owner=user).exclude(state__in=FINAL_STATES):
        job_cancel(job=job)
    names = [
        *Photo.objects.filter(owner=user).values_list("image", flat=True),
        *Portrait.objects.filter(owner=user).values_list("image", flat=True),
        *Template.objects.filter(owner=user).values_list("image", flat=True),
    ]
    for name in names:
        if name:
            default_storage.delete(name)
    for avatar in Avatar.objects.filter(owner=user).exclude(artifact=""):
        artifact_delete(prefix=avatar.artifact)
    for folder in OWNER_FOLDERS:
        _folder_delete(f"{folder}/{user.pk}")
    with transaction.atomic():
        user.delete()
    log.info("account %s and its data deleted", user.pk)
