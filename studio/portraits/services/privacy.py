"""Deleting personal data for good: an avatar, or a whole account ("delete my data"), storage
included. Photos of faces are personal data, so deleting means the files, not only the rows.

Unfinished jobs are canceled first, so that no worker writes for what is being deleted; files go
once the deletion commits, so a failed transaction leaves nothing half-deleted.
"""
from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction

from jobs.models import FINAL_STATES, Job
from jobs.services import job_cancel
from studio.catalog.models import Template

from ..artifacts import artifact_delete
from ..models import Avatar, Photo, Portrait
from .renditions import FOLDER as RENDITIONS
from .renditions import renditions_delete

log = logging.getLogger(__name__)

# Storage folders that hold one account's files, each under its owner's id.
ACCOUNT_FOLDERS = ("photos", "portraits", "avatars", "inputs", f"{RENDITIONS}/portraits", f"{RENDITIONS}/photos")
DELETED_EMAIL_DOMAIN = "deleted.invalid"


def file_delete(name: str) -> None:
    if name:
        default_storage.delete(name)
        renditions_delete(name=name)


def _jobs_cancel(jobs) -> None:
    for job in jobs.exclude(state__in=FINAL_STATES):
        job_cancel(job=job)


@transaction.atomic
def avatar_delete(*, avatar: Avatar) -> None:
    """The avatar with its photos, its artifact and every portrait made from it."""
    _jobs_cancel(Job.objects.filter(avatar_link__avatar=avatar))
    photos = list(Photo.objects.filter(avatar=avatar).values_list("image", flat=True))
    portraits = Portrait.objects.filter(avatars=avatar)
    names = photos + list(portraits.values_list("image", flat=True))
    # Every training wrote a fresh artifact folder under this prefix; all of them go.
    prefix = f"avatars/{avatar.owner_id}/{avatar.model_id}"
    artifact = avatar.artifact
    portraits.delete()
    avatar.delete()  # its photos go with it (cascade)

    def files() -> None:
        for name in names:
            file_delete(name)
        artifact_delete(prefix=prefix)
        if artifact:  # the local copy a worker keeps of an artifact held in S3
            shutil.rmtree(Path(settings.VAR_DIR) / "cache" / artifact, ignore_errors=True)

    transaction.on_commit(files)


@transaction.atomic
def account_delete(*, user) -> None:
    """Everything of the account, storage included; its billing account and ledger are kept for
    accounting, moved to an anonymous inactive placeholder user."""
    _jobs_cancel(Job.objects.filter(owner=user))
    for avatar in Avatar.objects.filter(owner=user):
        avatar_delete(avatar=avatar)
    names = [
        *Photo.objects.filter(owner=user).values_list("image", flat=True),
        *Portrait.objects.filter(owner=user).values_list("image", flat=True),
        *Template.objects.filter(owner=user).values_list("image", flat=True),
    ]
    if apps.is_installed("billing"):
        _billing_anonymise(user)
    user_id = user.id
    user.delete()  # jobs, photos, portraits, templates, credentials, webhooks: cascades

    def files() -> None:
        for name in names:
            file_delete(name)
        for folder in ACCOUNT_FOLDERS:  # what no row names any more (outputs of jobs let go, uploads)
            artifact_delete(prefix=f"{folder}/{user_id}")
        log.info("account %s and its data deleted", user_id)

    transaction.on_commit(files)


def _billing_anonymise(user) -> None:
    Account = apps.get_model("billing", "Account")
    User = get_user_model()
    placeholder = User(email=f"deleted-{uuid.uuid4().hex}@{DELETED_EMAIL_DOMAIN}", is_active=False)
    placeholder.set_unusable_password()
    placeholder.save()
    Account.objects.filter(user=user).update(user=placeholder)
