"""Reads of avatars, photos, portraits and jobs shared by several views; each scoped to its owner."""
from __future__ import annotations

import uuid

from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, QuerySet

from jobs.models import Job
from studio.lib.prepared import PreparedValues

from .models import Avatar, AvatarJob, Photo, Portrait

# What the APIs' job lists show of each job.
JOB_LIST_FIELDS = ("id", "owner_id", "kind", "state", "progress", "result", "error_code", "error_message",
                   "created_at", "started_at", "finished_at", "avatar_link__avatar__model_id")
# What a job's status document (the PAI job query, polled several times a second) reads of it.
JOB_DOCUMENT_FIELDS = ("id", "kind", "app_id", "state", "progress", "result", "cost_time", "error_code",
                       "error_message", "avatar_link__avatar__model_id")


def avatar_get_for(*, owner, model_id: str) -> Avatar | None:
    try:
        key = uuid.UUID(str(model_id))
    except ValueError:
        return None
    return Avatar.objects.filter(owner=owner, model_id=key).first()


def job_get_for(*, owner, job_id: int) -> Job | None:
    return Job.objects.filter(owner=owner, id=job_id).select_related("avatar_link__avatar").first()


def _job_signed(*, credential_id: int, job_id: int) -> QuerySet:
    return Job.objects.filter(
        id=job_id, owner__is_active=True, owner__credentials__id=credential_id,
        owner__credentials__revoked_at__isnull=True,
    ).values(*JOB_DOCUMENT_FIELDS, "avatar_link__avatar_id")[:1]  # [:1], not first(): no ORDER BY by pk


# The PAI SDKs poll a job several times a second: this read is compiled once (studio.lib.prepared).
_job_signed_read = PreparedValues(_job_signed, arguments={"credential_id": int, "job_id": int})
# Model.from_db takes a partial row in the model's field order.
_JOB_OWN_FIELDS = [field.attname for field in Job._meta.concrete_fields if field.attname in JOB_DOCUMENT_FIELDS]


def job_get_signed(*, credential_id: int, job_id: int) -> Job | None:
    """The job, when the credential is still active and its owner's: the check that the credential
    was not revoked, nor its owner deactivated, made in the same read as the job. Its avatar, if
    any, is loaded with it (only its model_id), as select_related would."""
    row = _job_signed_read.first(credential_id=credential_id, job_id=job_id)
    if row is None:
        return None
    job = Job.from_db(DEFAULT_DB_ALIAS, _JOB_OWN_FIELDS, [row[name] for name in _JOB_OWN_FIELDS])
    if row["avatar_link__avatar_id"] is not None:
        avatar = Avatar.from_db(DEFAULT_DB_ALIAS, ["id", "model_id"],
                                [row["avatar_link__avatar_id"], row["avatar_link__avatar__model_id"]])
        job.avatar_link = AvatarJob(job=job, avatar=avatar)
    return job


def avatar_list_for(*, owner, status: str | None = None) -> QuerySet[Avatar]:
    """The owner's avatars, newest first; ``status`` keeps those in that status (e.g. ready)."""
    avatars = Avatar.objects.filter(owner=owner)
    if status:
        avatars = avatars.filter(status=status)
    return avatars.order_by("-created_at", "-id")


def portrait_list_for(*, owner, avatar_model_id: uuid.UUID | str | None = None, style_key: str | None = None,
                      favourite: bool | None = None) -> QuerySet[Portrait]:
    """The owner's gallery, newest first and best ranked first within one job. An ``avatar_model_id``
    that is no UUID matches nothing; ``favourite`` None keeps both."""
    portraits = (Portrait.objects.filter(owner=owner).select_related("template", "style")
                 .prefetch_related("avatars").annotate(job_kind=F("job__kind"))  # portrait_likeness, one query
                 .order_by("-created_at", "rank", "id"))
    if avatar_model_id:
        try:
            portraits = portraits.filter(avatars__model_id=uuid.UUID(str(avatar_model_id)))
        except ValueError:
            return portraits.none()
    if style_key:
        portraits = portraits.filter(style__key=style_key)
    if favourite is not None:
        portraits = portraits.filter(is_favourite=favourite)
    return portraits


def portrait_get_for(*, owner, portrait_id: int) -> Portrait | None:
    return portrait_list_for(owner=owner).filter(id=portrait_id).first()


def photo_get_for(*, owner, photo_id: int) -> Photo | None:
    return Photo.objects.filter(owner=owner, id=photo_id).first()


def job_list_for(*, owner, kind: str | None = None, state: str | None = None) -> QuerySet[Job]:
    """The owner's jobs, without their inputs (a list shows what jobs did, not what they were given;
    a training's input lists every photo)."""
    jobs = Job.objects.filter(owner=owner).select_related("avatar_link__avatar").only(*JOB_LIST_FIELDS)
    if kind:
        jobs = jobs.filter(kind=kind)
    if state:
        jobs = jobs.filter(state=state)
    return jobs


def avatar_best_photos(*, avatar: Avatar) -> list[Photo]:
    """The avatar's photos that passed their check, best first: the reference photo, then by the
    training's reference score (likeness x frontal x quality), then as given."""
    photos = [photo for photo in Photo.objects.filter(owner_id=avatar.owner_id, avatar=avatar)
              if photo.passed or photo.is_reference]
    photos.sort(key=lambda photo: (not photo.is_reference, -float((photo.check_result or {}).get("score") or 0.0),
                                   photo.position, photo.id))
    return photos
