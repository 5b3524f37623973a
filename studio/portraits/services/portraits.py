"""Portraits: creating them from a template and one avatar per face."""
from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from engine.errors import EngineError, ErrorCode
from jobs.models import Job, JobKind
from jobs.services import job_submit
from studio.catalog.models import Template

from ..models import Avatar, Photo, Portrait
from .jobs import avatar_job_submit
from .privacy import file_delete

TRAIN_FREE_MAX_PHOTOS = 5


def portrait_create_submit(*, owner, avatars: list[Avatar], template: str, options: dict | None = None,
                           n: int = 1, template_id: int | None = None, style_id: int | None = None,
                           more_templates: Sequence[Template] = (), source: str = "web", app_id: str = "",
                           idempotency_key: str | None = None) -> Job:
    """``template`` is the storage name of the template image (a catalog template's or an upload);
    with ``more_templates`` (a style's others) the n portraits are spread over them all."""
    return avatar_job_submit(
        owner=owner,
        kind=JobKind.CREATE,
        payload={
            "model_ids": [str(avatar.model_id) for avatar in avatars],
            "template": template,
            "template_id": template_id,
            "more_templates": [{"template": t.image.name, "template_id": t.id} for t in more_templates],
            "style_id": style_id,
            "options": options or {},
            "n": n,
        },
        avatar=avatars[0] if len(avatars) == 1 else None,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )


def portrait_train_free_submit(*, owner, photos: list[Photo], template: str, options: dict | None = None,
                               n: int = 1, template_id: int | None = None, style_id: int | None = None,
                               source: str = "web", app_id: str = "", idempotency_key: str | None = None) -> Job:
    """A portrait of the person in 1-5 photos, without training an avatar first."""
    if not 1 <= len(photos) <= TRAIN_FREE_MAX_PHOTOS:
        raise EngineError(ErrorCode.INVALID_OPTION, f"Train-free creation takes 1 to {TRAIN_FREE_MAX_PHOTOS} photos.")
    return job_submit(
        owner=owner,
        kind=JobKind.CREATE,
        payload={
            "photos": [photo.id for photo in photos],
            "model_ids": [],
            "template": template,
            "template_id": template_id,
            "style_id": style_id,
            "options": options or {},
            "n": n,
        },
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )


@transaction.atomic
def portrait_delete(*, portrait: Portrait) -> None:
    name = portrait.image.name
    portrait.delete()
    transaction.on_commit(lambda: file_delete(name))


def portrait_favourite_set(*, portrait: Portrait, favourite: bool) -> Portrait:
    portrait.is_favourite = favourite
    portrait.save(update_fields=["is_favourite"])
    return portrait
