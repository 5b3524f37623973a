"""Reads of avatars, photos, portraits and jobs shared by several views; each scoped to its owner."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, QuerySet
from django.utils.dateparse import parse_datetime

from jobs.models import Job
from studio.lib.prepared import PreparedObjects, PreparedValues

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
    if owner is None or not owner.pk:
        return None
    return _AVATAR_OF.first(owner_id=owner.pk, model_id=key)


# Every create reads its avatars by model id: compiled once (studio.lib.prepared).
_AVATAR_OF = PreparedObjects(lambda *, owner_id, model_id: Avatar.objects.filter(
    owner_id=owner_id, model_id=model_id).order_by("-created_at")[:1], arguments={"owner_id": int, "model_id": uuid.UUID})


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


def _job_from_row(row: dict, fields: list[str]) -> Job:
    """A Job of ``fields`` (in the model's field order) from a values() row, with its avatar (only
    its id and model_id, from ``avatar_link__avatar_id`` and ``..._model_id``) as select_related
    would load it."""
    job = Job.from_db(DEFAULT_DB_ALIAS, fields, [row[name] for name in fields])
    if row["avatar_link__avatar_id"] is not None:
        avatar = Avatar.from_db(DEFAULT_DB_ALIAS, ["id", "model_id"],
                                [row["avatar_link__avatar_id"], row["avatar_link__avatar__model_id"]])
        # Only the job's side is cached. The descriptor (``job.avatar_link = link``) would also
        # point the link back at the job: a reference cycle per listed job, which only the garbage
        # collector frees (its collections stall every request of the worker).
        link = AvatarJob(job_id=job.id, avatar=avatar)
        Job.avatar_link.related.set_cached_value(job, link)
    else:  # known to have none, as select_related records it: job_avatar() asks no query
        Job.avatar_link.related.set_cached_value(job, None)
    return job


def job_get_signed(*, credential_id: int, job_id: int) -> Job | None:
    """The job, when the credential is still active and its owner's: the check that the credential
    was not revoked, nor its owner deactivated, made in the same read as the job. Its avatar, if
    any, is loaded with it (only its model_id), as select_related would."""
    row = _job_signed_read.first(credential_id=credential_id, job_id=job_id)
    if row is None:
        return None
    return _job_from_row(row, _JOB_OWN_FIELDS)


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


# The order of the APIs' job lists (and of the index job_owner_newest), and its reverse.
JOBS_NEWEST = ("-created_at", "-id")
JOBS_OLDEST = ("created_at", "id")
_JOB_LIST_OWN_FIELDS = [field.attname for field in Job._meta.concrete_fields if field.attname in JOB_LIST_FIELDS]


class JobPositionInvalid(ValueError):
    """A page position that is not an aware date and time (a forged cursor)."""


@dataclass(frozen=True)
class JobPages:
    """The owner's jobs, optionally of one kind or in one state, without their inputs (a list shows
    what jobs did, not what they were given; a training's input lists every photo), paged by DRF's
    CursorPagination. That makes three moves on what it pages (order_by its ordering or the
    reverse; filter the ordering's first field before or after a cursor's position; slice), and
    JobPages makes them with reads compiled once per shape of page (studio.lib.prepared), so
    cursors, links and page logic stay DRF's own. Compiling the list's query and building its
    models through the ORM cost about half of a page's CPU (bench/api_profile.py --profile native_jobs)."""

    owner_id: int
    kind: str | None = None
    state: str | None = None
    oldest_first: bool = False
    position: datetime | None = None
    before: bool = True  # with a position: created_at before it (else after it)

    def order_by(self, *ordering: str) -> JobPages:
        if ordering not in (JOBS_NEWEST, JOBS_OLDEST):
            raise ValueError(f"Jobs are paged by {JOBS_NEWEST} or its reverse, not {ordering}")
        return replace(self, oldest_first=ordering == JOBS_OLDEST)

    def filter(self, **lookup: object) -> JobPages:
        ((key, value),) = lookup.items()
        if key not in ("created_at__lt", "created_at__gt"):
            raise ValueError(f"Jobs are paged by created_at, not {key}")
        return replace(self, position=_job_position(value), before=key == "created_at__lt")

    def __getitem__(self, page: slice) -> list[Job]:
        start = page.start or 0
        arguments: dict = {"owner_id": self.owner_id}
        for name in ("kind", "state", "position"):
            if getattr(self, name) is not None:
                arguments[name] = getattr(self, name)
        shape = _JobPageShape(kind=self.kind is not None, state=self.state is not None,
                              before=None if self.position is None else self.before, oldest_first=self.oldest_first)
        rows = _job_page_read(shape).rows(limit=page.stop - start, offset=start, **arguments)
        return [_job_from_row(row, _JOB_LIST_OWN_FIELDS) for row in rows]


def job_pages_for(*, owner, kind: str | None = None, state: str | None = None) -> JobPages:
    return JobPages(owner_id=owner.pk, kind=kind or None, state=state or None)


def _job_position(value: object) -> datetime:
    # DRF hands back the position its cursor carries: str() of a job's created_at.
    position = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(position, datetime) or position.tzinfo is None:
        raise JobPositionInvalid(f"Not a page position: {value!r}")
    return position


@dataclass(frozen=True)
class _JobPageShape:
    kind: bool
    state: bool
    before: bool | None  # created_at before the position, after it, or no position
    oldest_first: bool

    def arguments(self) -> dict[str, type]:
        named = {"owner_id": int, "kind": str if self.kind else None, "state": str if self.state else None,
                 "position": datetime if self.before is not None else None}
        return {name: kind for name, kind in named.items() if kind is not None}


def _job_page(shape: _JobPageShape, *, owner_id: int, kind: str = "", state: str = "",
              position: datetime | None = None) -> QuerySet:
    jobs = Job.objects.filter(owner_id=owner_id)
    if shape.kind:
        jobs = jobs.filter(kind=kind)
    if shape.state:
        jobs = jobs.filter(state=state)
    if shape.before is not None:
        jobs = jobs.filter(**{"created_at__lt" if shape.before else "created_at__gt": position})
    ordering = JOBS_OLDEST if shape.oldest_first else JOBS_NEWEST
    return jobs.order_by(*ordering).values(*_JOB_LIST_OWN_FIELDS, "avatar_link__avatar_id",
                                           "avatar_link__avatar__model_id")


_job_page_reads: dict[_JobPageShape, PreparedValues] = {}
_job_page_reads_lock = threading.Lock()


def _job_page_read(shape: _JobPageShape) -> PreparedValues:
    read = _job_page_reads.get(shape)
    if read is None:
        with _job_page_reads_lock:
            read = _job_page_reads.setdefault(shape, PreparedValues(partial(_job_page, shape),
                                                                    arguments=shape.arguments()))
    return read


def avatar_best_photos(*, avatar: Avatar) -> list[Photo]:
    """The avatar's photos that passed their check, best first: the reference photo, then by the
    training's reference score (likeness x frontal x quality), then as given."""
    photos = [photo for photo in Photo.objects.filter(owner_id=avatar.owner_id, avatar=avatar)
              if photo.passed or photo.is_reference]
    photos.sort(key=lambda photo: (not photo.is_reference, -float((photo.check_result or {}).get("score") or 0.0),
                                   photo.position, photo.id))
    return photos
