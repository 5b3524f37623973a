"""Avatars: training one from photos."""
from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from jobs.models import FINAL_STATES, Job, JobKind
from jobs.services import job_cancel, job_submit

from ..artifacts import artifact_delete
from ..models import Avatar, Photo, Portrait


@transaction.atomic
def avatar_train_submit(*, owner, photos: list[Photo], name: str = "", options: dict | None = None,
                        source: str = "web", app_id: str = "", idempotency_key: str | None = None) -> tuple[Avatar, Job]:
    """Creates the avatar (status training) at once, so that its model_id can be answered now."""
    avatar = Avatar.objects.create(owner=owner, name=name)
    Photo.objects.filter(id__in=[photo.id for photo in photos], owner=owner).update(avatar=avatar)
    job = job_submit(
        owner=owner,
        kind=JobKind.TRAIN,
        payload={"photos": [photo.id for photo in photos], "options": options or {}},
        avatar=avatar,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )
    return avatar, job


def files_delete(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def avatar_delete(*, avatar: Avatar) -> None:
    """The avatar, its photos, its artifact and the portraits made with it, from storage and the
    database. Its unfinished jobs are canceled first, so that no worker writes for it afterwards."""
    for job in Job.objects.filter(avatar=avatar).exclude(state__in=FINAL_STATES):
        job_cancel(job=job)
    portraits = Portrait.objects.filter(avatars=avatar)
    names = [p.image.name for p in portraits] + [p.image.name for p in Photo.objects.filter(avatar=avatar)]
    # Every training wrote a fresh folder under this prefix; all of them go.
    prefix = f"avatars/{avatar.owner_id}/{avatar.model_id}"
    portraits.delete()
    avatar.delete()
    transaction.on_commit(lambda: (files_delete(names), artifact_delete(prefix=prefix)))
