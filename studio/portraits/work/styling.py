"""Stylize and ID-photo jobs: one image in, one restyled image out; one or more photos in, one ID
photo from each out; the results go to the gallery."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from engine.errors import EngineError
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
    """From a given photo, or from the avatar's photos listed at submit, best first: one ID photo
    from each that the framing accepts (a turned head is refused), up to n. Jobs submitted before
    photos were listed start from the photo the avatar's reference face came from."""

    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        wanted = max(1, int(job.input.get("n") or 1))
        made, refusals = [], []
        for data in self._photos(job):
            try:
                made.append(engine_backend().idphoto(
                    data,
                    size=job.input.get("size", "1inch"),
                    background=job.input.get("background", "white"),
                    sheet=bool(job.input.get("sheet", False)),
                ))
            except EngineError as exc:
                refusals.append(exc)
            report(0.9 * len(made) / wanted)
            if len(made) == wanted:
                break
        if not made:
            raise refusals[0]
        images = images_store(job, [(photo.image, None) for photo in made], dpi=made[0].dpi)
        result = {"images": images, "dpi": made[0].dpi}
        requested = max(1, int(job.input.get("requested") or 1))
        if len(images) < requested:
            result["note"] = (f"{len(images)} of the {requested} ID photos asked for were made: one from each "
                              f"photo of the avatar that suits an ID photo"
                              + (f" ({len(refusals)} refused: {refusals[0].message})" if refusals else "") + ".")
        avatar = job_avatar(job)
        avatars = [avatar] if avatar else []
        return Outcome(
            result=result,
            on_success=lambda: portraits_commit(job, images, avatars=avatars),
            on_discard=lambda: images_discard(images),
        )

    def _photos(self, job: Job) -> Iterator[bytes]:
        if job.input.get("photo"):
            yield storage_bytes(job.input["photo"])
            return
        avatar = job_avatar(job)
        listed = job.input.get("photos") or []
        kept = {photo.id: photo for photo in Photo.objects.filter(owner=job.owner, avatar=avatar, id__in=listed)}
        photos = [kept[photo_id] for photo_id in listed if photo_id in kept]
        if not photos:  # none listed, or none kept since: the reference photo, as before
            photos = list(Photo.objects.filter(owner=job.owner, avatar=avatar, is_reference=True)[:1])
        if not photos:
            raise JobError("photo_not_found", "The avatar's reference photo is no longer kept; give a photo.")
        for photo in photos:
            yield photo_bytes(photo)

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None
