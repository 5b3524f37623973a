"""Stylize and ID-photo jobs: one image in, one restyled image out; one or more photos in, one ID
photo from each out; the results go to the gallery."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

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
    """From a given photo, or from the avatar's photos listed at submit: each measured against the
    rules, the most compliant first, one ID photo from each up to n. Each image carries its
    compliance report; a photo that fails fails the job (nothing charged, the report kept in the
    result) unless the customer asked for a draft. Jobs submitted before photos were listed start
    from the photo the avatar's reference face came from."""

    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        wanted = max(1, int(job.input.get("n") or 1))
        draft = bool(job.input.get("draft", False))
        if job.input.get("photo"):
            made = [(self._one(job, storage_bytes(job.input["photo"]), draft=draft), None)]
            refusals: list[str] = []
        else:
            made, refusals = self._most_compliant(job, draft=draft, report=report)
        made = made[:wanted]
        report(0.9)
        images = images_store(job, [(photo.image, photo.identity_distance) for photo, _ in made], dpi=made[0][0].dpi)
        for image, (photo, source) in zip(images, made, strict=True):
            image["compliance"] = photo.compliance.as_dict()
            image["upload"] = _upload_store(job, photo)
            if source is not None:  # which of the avatar's photos it was made from
                image["photo"] = source.id
        result = {"images": images, "dpi": made[0][0].dpi, "draft": draft, "compliance": images[0]["compliance"]}
        requested = max(1, int(job.input.get("requested") or 1))
        if len(images) < requested:
            result["note"] = (f"{len(images)} of the {requested} ID photos asked for were made: one from each "
                              f"photo of the avatar that suits an ID photo"
                              + (f" ({len(refusals)} refused: {refusals[0]})" if refusals else "") + ".")
        avatar = job_avatar(job)
        avatars = [avatar] if avatar else []
        return Outcome(
            result=result,
            on_success=lambda: portraits_commit(job, images, avatars=avatars),
            on_discard=lambda: images_discard(images + [image["upload"] for image in images if image["upload"]]),
        )

    def _one(self, job: Job, data: bytes, *, draft: bool):
        try:
            return _idphoto(job, data, draft=draft)
        except EngineError as exc:
            compliance = getattr(exc, "compliance", None)
            if compliance is None:
                raise
            _refusal_keep(job, compliance.as_dict())
            raise JobError(NOT_COMPLIANT, exc.message) from exc

    def _most_compliant(self, job: Job, *, draft: bool, report: Callable[[float], None]):
        """Every listed photo of the avatar made as a draft and ranked: compliant first, then by the
        number of checks passed; the photos' own order (likeness) breaks ties."""
        made, refusals = [], []
        photos = self._photos(job)
        for number, photo in enumerate(photos, 1):
            try:
                made.append((_idphoto(job, photo_bytes(photo), draft=True), photo))
            except EngineError as exc:
                refusals.append(exc)
            report(0.8 * number / len(photos))
        if not made:
            raise refusals[0]
        refusals = [exc.message for exc in refusals]
        made.sort(key=lambda pair: (not pair[0].compliant, -sum(check.passed for check in pair[0].compliance.checks)))
        closest = made[0][0]
        if not draft:
            if not closest.compliant:
                _refusal_keep(job, closest.compliance.as_dict())
                raise JobError(NOT_COMPLIANT, "None of the avatar's photos would pass as an ID photo; the closest: "
                               + closest.compliance.summary())
            refusals += [pair[0].compliance.summary() for pair in made if not pair[0].compliant]
            made = [pair for pair in made if pair[0].compliant]
        return made, refusals

    def _photos(self, job: Job) -> list[Photo]:
        avatar = job_avatar(job)
        listed = (job.input.get("photos") or [])[:MAX_CANDIDATES]
        kept = {photo.id: photo for photo in Photo.objects.filter(owner=job.owner, avatar=avatar, id__in=listed)}
        photos = [kept[photo_id] for photo_id in listed if photo_id in kept]
        if not photos:  # none listed, or none kept since: the reference photo, as before
            photos = list(Photo.objects.filter(owner=job.owner, avatar=avatar, is_reference=True)[:1])
        if not photos:
            raise JobError("photo_not_found", "The avatar's reference photo is no longer kept; give a photo.")
        return photos

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None


# The error code of a job refused because its photo would not pass (the report is in the result).
NOT_COMPLIANT = "photo_not_compliant"
# An avatar's photos measured to find the most compliant (each takes well under a second).
MAX_CANDIDATES = 8


def _idphoto(job: Job, data: bytes, *, draft: bool):
    return engine_backend().idphoto(data, size=job.input.get("size", "1inch"),
                                    background=job.input.get("background", "white"),
                                    sheet=job.input.get("sheet", False), draft=draft)


def _refusal_keep(job: Job, compliance: dict) -> None:
    """The report of a refused photo stays with the failed job, for every API and the website."""
    Job.objects.filter(id=job.id).update(result={"compliance": compliance, "draft": False})
    job.result = {"compliance": compliance, "draft": False}


def _upload_store(job: Job, photo) -> dict | None:
    """The digital upload version (e.g. 600x600 for the US), where the size has one."""
    data = photo.upload_jpeg()
    if data is None:
        return None
    name = default_storage.save(f"portraits/{job.owner_id}/{uuid.uuid4().hex}-upload.jpg", ContentFile(data))
    height, width = photo.upload.shape[:2]
    return {"name": name, "width": width, "height": height}
