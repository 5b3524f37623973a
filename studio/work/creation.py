"""Create jobs: portraits from a template and one avatar per face, saved to the gallery."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from engine import imaging
from jobs.handlers import Outcome
from jobs.models import Job

from ..artifacts import artifact_local
from ..backend import engine_backend
from ..models import Avatar, Portrait
from .inputs import job_avatars, storage_bytes


class CreateHandler:
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        avatars = job_avatars(job)
        backend = engine_backend()
        loaded = [backend.load_avatar(artifact_local(avatar=avatar)) for avatar in avatars]
        report(0.05)
        portraits = backend.create(
            storage_bytes(job.input["template"]),
            avatars=loaded,
            options=job.input.get("options") or None,
            n=int(job.input.get("n", 1)),
            on_progress=lambda fraction: report(0.05 + 0.9 * fraction),
        )
        images = []
        for portrait in portraits:
            height, width = portrait.image.shape[:2]
            name = default_storage.save(
                f"portraits/{job.owner_id}/{uuid.uuid4().hex}.jpg",
                ContentFile(imaging.encode(portrait.image, format="JPEG", quality=95)),
            )
            images.append(
                {"name": name, "width": width, "height": height,
                 "identity_distance": round(float(portrait.identity_distance), 4)}
            )

        def commit() -> None:
            for rank, image in enumerate(images):
                row = Portrait.objects.create(
                    owner_id=job.owner_id,
                    job=job,
                    template_id=job.input.get("template_id"),
                    style_id=job.input.get("style_id"),
                    image=image["name"],
                    width=image["width"],
                    height=image["height"],
                    rank=rank,
                    identity_distance=image["identity_distance"],
                )
                row.avatars.set(avatars)
            Avatar.objects.filter(id__in=[a.id for a in avatars]).update(last_used_at=timezone.now())

        def discard() -> None:
            for image in images:
                default_storage.delete(image["name"])

        return Outcome(result={"images": images}, on_success=commit, on_discard=discard)

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None
