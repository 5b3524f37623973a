"""Create jobs: portraits from a template and one avatar per face, saved to the gallery."""
from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from jobs.handlers import Outcome
from jobs.models import Job

from ..artifacts import artifact_local
from ..backend import engine_backend
from ..models import Avatar
from .inputs import job_avatars, job_photos, photo_bytes, storage_bytes
from .outputs import images_discard, images_store, portraits_commit


class CreateHandler:
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        backend = engine_backend()
        if job.input.get("photos"):
            # Train-free: the person comes from the request's own photos, no avatar is kept.
            avatars = []
            loaded = [backend.avatar_from_photos([photo_bytes(photo) for photo in job_photos(job)])]
        else:
            avatars = job_avatars(job)
            loaded = [backend.load_avatar(artifact_local(avatar=avatar)) for avatar in avatars]
        report(0.05)
        portraits = backend.create(
            storage_bytes(job.input["template"]),
            avatars=loaded,
            options=job.input.get("options") or None,
            n=int(job.input.get("n", 1)),
            on_progress=lambda fraction: report(0.05 + 0.9 * fraction),
        )
        images = images_store(job, [(p.image, p.identity_distance) for p in portraits])

        def commit() -> None:
            portraits_commit(job, images, avatars=avatars)
            Avatar.objects.filter(id__in=[a.id for a in avatars]).update(last_used_at=timezone.now())

        return Outcome(result={"images": images}, on_success=commit, on_discard=lambda: images_discard(images))

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None
