"""Writes the native API needs that studio/services does not have yet (candidates to move there)."""
from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from jobs.models import FINAL_STATES, Job, JobKind
from jobs.services import job_cancel, job_submit

from ...artifacts import artifact_delete
from ...models import Avatar, Photo, Portrait, Template


def _files_delete(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def avatar_delete(*, avatar: Avatar) -> None:
    """The avatar, its photos, its artifact and the portraits made with it, from storage and the database.
    Its unfinished jobs are canceled first, so that no worker writes for it afterwards."""
    for job in Job.objects.filter(avatar=avatar).exclude(state__in=FINAL_STATES):
        job_cancel(job=job)
    portraits = Portrait.objects.filter(avatars=avatar)
    names = [p.image.name for p in portraits] + [p.image.name for p in Photo.objects.filter(avatar=avatar)]
    # Every training wrote a fresh folder under this prefix; all of them go.
    prefix = f"avatars/{avatar.owner_id}/{avatar.model_id}"
    portraits.delete()
    avatar.delete()
    transaction.on_commit(lambda: (_files_delete(names), artifact_delete(prefix=prefix)))


@transaction.atomic
def portrait_delete(*, portrait: Portrait) -> None:
    name = portrait.image.name
    portrait.delete()
    transaction.on_commit(lambda: _files_delete([name]))


def portrait_favourite_set(*, portrait: Portrait, favourite: bool) -> Portrait:
    portrait.is_favourite = favourite
    portrait.save(update_fields=["is_favourite"])
    return portrait


@transaction.atomic
def template_delete(*, template: Template) -> None:
    """A private template. Its file stays while a queued create job may still read it: the row goes,
    so nobody sees it any more; portraits made from it keep their images."""
    template.delete()


def photo_check_submit(*, owner, photos: list[Photo], same_person: bool = True,
                       idempotency_key: str | None = None) -> Job:
    """photos_check_submit with an idempotency key (which that service does not take yet)."""
    return job_submit(
        owner=owner,
        kind=JobKind.CHECK,
        payload={"photos": [photo.id for photo in photos], "same_person": same_person},
        source="api",
        idempotency_key=idempotency_key,
    )
