"""Reads the website's pages share; every one is scoped to its owner."""
from __future__ import annotations

from django.db.models import QuerySet

from jobs.models import FINAL_STATES, Job

from ..models import Avatar, AvatarStatus, Photo, Portrait, Style, Template


def avatar_list_for(*, owner) -> QuerySet[Avatar]:
    return Avatar.objects.filter(owner=owner).order_by("-created_at")


def avatar_ready_list_for(*, owner) -> QuerySet[Avatar]:
    return avatar_list_for(owner=owner).filter(status=AvatarStatus.READY)


def portrait_list_for(*, owner, avatar: Avatar | None = None, style: Style | None = None,
                      favourites: bool = False) -> QuerySet[Portrait]:
    portraits = Portrait.objects.filter(owner=owner).select_related("template", "style")
    if avatar is not None:
        portraits = portraits.filter(avatars=avatar)
    if style is not None:
        portraits = portraits.filter(style=style)
    if favourites:
        portraits = portraits.filter(is_favourite=True)
    return portraits.order_by("-created_at", "rank", "id")


def portrait_get_for(*, owner, portrait_id: int) -> Portrait | None:
    return Portrait.objects.filter(owner=owner, id=portrait_id).select_related("template", "style").first()


def photo_get_for(*, owner, photo_id: int) -> Photo | None:
    return Photo.objects.filter(owner=owner, id=photo_id).first()


def private_template_list_for(*, owner) -> QuerySet[Template]:
    return Template.objects.filter(owner=owner, is_active=True).order_by("-created_at")


def jobs_unfinished_for(*, owner, avatar: Avatar | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(owner=owner).exclude(state__in=FINAL_STATES).exclude(kind="check")
    if avatar is not None:
        jobs = jobs.filter(avatar=avatar)
    return jobs.order_by("-created_at")


def jobs_for_avatar(*, owner, avatar: Avatar, limit: int = 20) -> list[Job]:
    return list(Job.objects.filter(owner=owner, avatar=avatar).order_by("-created_at")[:limit])


def check_job_for_photo(*, owner, photo: Photo) -> Job | None:
    """The latest check job that covered this photo (its id sits in the job's input)."""
    for job in Job.objects.filter(owner=owner, kind="check").order_by("-created_at")[:60]:
        if photo.id in (job.input or {}).get("photos", []):
            return job
    return None
