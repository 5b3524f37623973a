"""Reads only the website's pages make (job progress panels, a photo's check); every one is scoped to
its owner. Reads the website shares with the APIs are in studio/selectors.py."""
from __future__ import annotations

from django.db.models import QuerySet

from jobs.models import FINAL_STATES, Job
from studio.portraits.models import Avatar, Photo


def jobs_unfinished_for(*, owner, avatar: Avatar | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(owner=owner).exclude(state__in=FINAL_STATES).exclude(kind="check")
    if avatar is not None:
        jobs = jobs.filter(avatar_link__avatar=avatar)
    return jobs.order_by("-created_at")


def jobs_for_avatar(*, owner, avatar: Avatar, limit: int = 20) -> list[Job]:
    return list(Job.objects.filter(owner=owner, avatar_link__avatar=avatar).order_by("-created_at")[:limit])


def check_job_for_photo(*, owner, photo: Photo) -> Job | None:
    """The latest check job that covered this photo (its id sits in the job's input)."""
    for job in Job.objects.filter(owner=owner, kind="check").order_by("-created_at")[:60]:
        if photo.id in (job.input or {}).get("photos", []):
            return job
    return None
