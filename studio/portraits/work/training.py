"""Train jobs: build the avatar from its photos and keep the artifact in storage."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.handlers import Outcome
from jobs.models import Job
from studio.lib.engine import engine_work

from ..artifacts import artifact_delete, artifact_prefix, artifact_upload
from ..models import Avatar, AvatarStatus, Photo
from ..services.jobs import job_avatar
from .inputs import job_photos, photo_bytes


class TrainHandler:
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        avatar = job_avatar(job)
        photos = job_photos(job)
        data = [photo_bytes(photo) for photo in photos]
        names = [f"photo {i + 1}" for i in range(len(photos))]
        prefix = artifact_prefix(avatar=avatar)
        # A folder of the job's own that outlives a killed worker: the diffusion backend's training
        # resumes there from its last checkpoint when the reaper hands the job out again.
        folder = Path(settings.VAR_DIR) / "training" / f"job-{job.id}"
        out = folder / "avatar"
        try:
            # The configured backend, or the classic one where it has no models here (said in the result).
            options = job.input.get("options") or None
            work = engine_work(lambda backend: _train(backend, data, out, names, options, report))
            built, checks = work.value
            artifact_upload(local_dir=out, prefix=prefix)
        finally:
            if not _interrupted():
                shutil.rmtree(folder, ignore_errors=True)
        verdicts = [check.as_dict() for check in checks]
        # Kept with each photo so that the best ones can be chosen later (ID photo variants).
        scores = {face.source: face.score for face in built.faces}
        previous = avatar.artifact

        def commit() -> None:
            Avatar.objects.filter(id=avatar.id).update(
                status=AvatarStatus.READY,
                artifact=prefix,
                backend=work.backend,
                photos_used=len(built.faces),
                trained_at=timezone.now(),
            )
            for name, photo, verdict in zip(names, photos, verdicts):
                Photo.objects.filter(id=photo.id).update(
                    check_result=dict(verdict, score=scores.get(name)), is_reference=name == built.reference.source
                )
            if previous:
                transaction.on_commit(lambda: artifact_delete(prefix=previous))

        states = [dict(verdict, url=photo.source_url) for photo, verdict in zip(photos, verdicts)]
        result = {"model_id": str(avatar.model_id), "states": states, "photos_used": len(built.faces),
                  "backend": work.backend}
        if work.note:
            result["backend_note"] = work.note
        return Outcome(
            result=result,
            on_success=commit,
            on_discard=lambda: artifact_delete(prefix=prefix),
        )

    def failed(self, job: Job) -> None:
        Avatar.objects.filter(job_links__job=job, status=AvatarStatus.TRAINING).update(status=AvatarStatus.FAILED)

    def retried(self, job: Job) -> None:
        Avatar.objects.filter(job_links__job=job, status=AvatarStatus.FAILED).update(status=AvatarStatus.TRAINING)


def _train(backend, data: list[bytes], out: Path, names: list[str], options: dict | None,
           report: Callable[[float], None]):
    if out.exists():  # what a backend that failed for want of its models may have left
        shutil.rmtree(out)
    return backend.train(data, out=out, names=names, options=options,
                         on_progress=lambda fraction: report(0.95 * fraction))


def _interrupted() -> bool:
    """A worker stopping (SystemExit, KeyboardInterrupt) keeps the training folder for the retry;
    a finished or failed training does not."""
    error = sys.exc_info()[1]
    return isinstance(error, (SystemExit, KeyboardInterrupt))
