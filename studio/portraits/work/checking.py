"""Check jobs: the quality check of photos, saved on each photo."""
from __future__ import annotations

from collections.abc import Callable

from jobs.handlers import Outcome
from jobs.models import Job
from studio.lib.engine import engine_backend

from ..models import Photo
from .inputs import job_photos, photo_bytes


class CheckHandler:
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        photos = job_photos(job)
        against = list(Photo.objects.filter(owner=job.owner, id__in=job.input.get("against") or [])
                       .exclude(id__in=[photo.id for photo in photos]).order_by("created_at", "id"))
        photos = photos + against  # the group's verdicts are saved on each: the majority decides
        report(0.05)
        checks = engine_backend().check(
            [photo_bytes(photo) for photo in photos], same_person=bool(job.input.get("same_person", True))
        )
        verdicts = [check.as_dict() for check in checks]

        def save() -> None:
            for photo, verdict in zip(photos, verdicts):
                Photo.objects.filter(id=photo.id).update(check_result=verdict)

        results = [dict(verdict, photo=photo.id, url=photo.source_url) for photo, verdict in zip(photos, verdicts)]
        return Outcome(result={"check_results": results}, on_success=save)

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None
