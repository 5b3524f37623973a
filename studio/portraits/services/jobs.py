"""Jobs about one avatar: submitted and linked to it in one transaction, and read back."""
from __future__ import annotations

from jobs.models import Job
from jobs.services import job_submit

from ..models import Avatar, AvatarJob


def avatar_job_submit(*, avatar: Avatar | None, **submit) -> Job:
    """``jobs.services.job_submit``, with the job linked to ``avatar`` in the submit's transaction (so
    that the worker, which starts on commit, finds the link). An idempotent replay keeps its link."""

    def linked(job: Job) -> None:
        # Only a new job is linked here (a replay returns the first job, linked when it was made);
        # one INSERT, a link already there left as it is (get_or_create took four round trips).
        AvatarJob.objects.bulk_create([AvatarJob(job=job, avatar=avatar)], ignore_conflicts=True)

    return job_submit(**submit, linked=None if avatar is None else linked)


def job_avatar(job: Job) -> Avatar | None:
    """The avatar a job trains or works from; None for jobs about no one avatar (or a deleted one).
    Uses the row loaded by ``select_related("avatar_link__avatar")`` when there is one."""
    try:
        return job.avatar_link.avatar
    except AvatarJob.DoesNotExist:
        return None
