"""Reads of the native API, each scoped to its owner. Candidates for studio/selectors.py."""
from __future__ import annotations

import uuid

from django.db.models import QuerySet

from jobs.models import Job

from ...models import Avatar, Portrait, Template


def avatar_list_for(*, owner) -> QuerySet[Avatar]:
    return Avatar.objects.filter(owner=owner)


def portrait_list_for(*, owner, avatar: str | None = None, style: str | None = None,
                      favourite: bool | None = None) -> QuerySet[Portrait]:
    portraits = Portrait.objects.filter(owner=owner).select_related("style").prefetch_related("avatars")
    if avatar:
        try:
            portraits = portraits.filter(avatars__model_id=uuid.UUID(str(avatar)))
        except ValueError:
            return portraits.none()
    if style:
        portraits = portraits.filter(style__key=style)
    if favourite is not None:
        portraits = portraits.filter(is_favourite=favourite)
    return portraits


def portrait_get_for(*, owner, portrait_id: int) -> Portrait | None:
    return portrait_list_for(owner=owner).filter(id=portrait_id).first()


def job_list_for(*, owner, kind: str | None = None, state: str | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(owner=owner).select_related("avatar")
    if kind:
        jobs = jobs.filter(kind=kind)
    if state:
        jobs = jobs.filter(state=state)
    return jobs


def template_own_get(*, owner, template_id: int) -> Template | None:
    return Template.objects.filter(owner=owner, id=template_id).first()
