"""Stylize and ID-photo jobs: one image in, one restyled or reframed image out, in the gallery."""
from __future__ import annotations

from collections.abc import Callable

from jobs.handlers import JobError, Outcome
from jobs.models import Job
from studio.lib.engine import engine_backend

from ..models import Photo
from ..services.jobs import job_avatar
from .inputs import photo_bytes, storage_bytes
from .outputs import images_discard, images_store, portraits_commit


class StylizeHandler:
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        reference = job.input.get("reference")
        styled = engine_backend().stylize(
            storage_bytes(job.input["image"]),
            style_index=job.input.get("style_index"),
            reference=storage_bytes(reference) if reference else None,
        )
        report(0.9)
        images = images_store(job, [(styled.image, styled.identity_distance)])
        return Outcome(
            result={"images": images, "style_key": styled.style_key},
            on_success=lambda: portraits_commit(job, images),
            on_discard=lambda: images_discard(images),
        )

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None


class IdPhotoHandler:
    """From a given photo, or from the photo an avatar's reference face came from."""

    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        made = engine_backend().idphoto(
            self._photo(job),
            size=job.input.get("size", "1inch"),
            background=job.input.get("background", "white"),
            sheet=bool(job.input.get("sheet", False)),
        )
        report(0.9)
        images = images_store(job, [(made.image, None)], dpi=made.dpi)
        avatar = job_avatar(job)
        avatars = [avatar] if avatar else []
        return Outcome(
            result={"images": images, "dpi": made.dpi},
            on_success=lambda: portraits_commit(job, images, avatars=avatars),
            on_discard=lambda: images_discard(images),
        )

    def _photo(self, job: Job) -> bytes:
        if job.input.get("photo"):
            return storage_bytes(job.input["photo"])
        reference = Photo.objects.filter(owner=job.owner, avatar=job_avatar(job), is_reference=True).first()
        if reference is None:
            raise JobError("photo_not_found", "The avatar's reference photo is no longer kept; give a photo.")
        return photo_bytes(reference)

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None
