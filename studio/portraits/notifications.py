"""Emails to a customer who asked for them (User.notify_by_email): an avatar trained, portraits ready.
Sent from jobs' finished announcement once the ending commits, never from a job handler."""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from jobs.models import Job, JobKind, JobState

from .services.jobs import job_avatar

log = logging.getLogger(__name__)

# The kinds whose success puts images in the gallery.
PORTRAIT_KINDS = (JobKind.CREATE, JobKind.STYLIZE, JobKind.IDPHOTO)


def job_finished_notify(job: Job, state: JobState) -> None:
    """jobs' finished announcement: the email goes out once the ending is committed."""
    if state == JobState.SUCCEEDED and (job.kind == JobKind.TRAIN or job.kind in PORTRAIT_KINDS):
        transaction.on_commit(lambda: job_done_email(job=job), robust=True)


def job_done_email(*, job: Job) -> bool:
    """Mails the owner that the job's avatar or portraits are ready; False when the owner has not asked
    for it or the job has nothing to show."""
    job = Job.objects.select_related("owner").get(id=job.id)
    if not job.owner.notify_by_email or job.state != JobState.SUCCEEDED:
        return False
    message = _avatar_trained(job) if job.kind == JobKind.TRAIN else _portraits_ready(job)
    if message is None:
        return False
    subject, body = message
    footer = (f"\n\nYou get these emails because you asked for them; turn them off on your account page: "
              f"{settings.SITE_URL}{reverse('web:account')}\n")
    send_mail(subject, body + footer, None, [job.owner.email])
    log.info("job %s: done email sent", job.id)
    return True


def _avatar_trained(job: Job) -> tuple[str, str] | None:
    avatar = job_avatar(job)
    if avatar is None:
        return None
    link = settings.SITE_URL + reverse("web:avatar-detail", kwargs={"model_id": avatar.model_id})
    name = avatar.name or "Your avatar"
    return (f"{name} is trained and ready for portraits",
            f"{name} is trained. Pick a style and create your portraits:\n{link}")


def _portraits_ready(job: Job) -> tuple[str, str] | None:
    count = job.portraits.count()
    if not count:
        return None
    avatar = job_avatar(job)
    query = f"?{urlencode({'avatar': avatar.model_id})}" if avatar else ""
    link = settings.SITE_URL + reverse("web:gallery") + query
    noun = "portrait is" if count == 1 else "portraits are"
    return (f"Your {count} new {noun} ready",
            f"Your {count} new {noun} in your gallery:\n{link}")
