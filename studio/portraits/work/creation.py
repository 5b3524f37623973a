"""Create jobs: portraits from a template and one avatar per face, saved to the gallery."""
from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from engine.options import T2I_TEMPLATE
from jobs.handlers import Outcome
from jobs.models import Job
from studio.lib.engine import engine_work

from ..artifacts import artifact_local
from ..models import Avatar
from .headshots import headshots_make
from .inputs import job_avatars, job_photos, photo_bytes, storage_bytes
from .outputs import images_discard, images_store, portraits_commit


def template_shares(job: Job) -> list[tuple[str, int | None, int]]:
    """The job's n portraits spread over its templates (the first, then ``more_templates``), so
    that a style with several templates gives varied portraits: (storage name, id, how many)."""
    templates = [(job.input["template"], job.input.get("template_id"))]
    templates += [(extra["template"], extra.get("template_id")) for extra in job.input.get("more_templates", [])]
    n = int(job.input.get("n", 1))
    templates = templates[:n]
    counts = [n // len(templates) + (1 if i < n % len(templates) else 0) for i in range(len(templates))]
    return [(name, template_id, count) for (name, template_id), count in zip(templates, counts)]


class CreateHandler:
    def run(self, job: Job, report: Callable[[float], None]) -> Outcome:
        if job.input.get("headshot"):
            return headshots_make(job, report)
        avatars = [] if job.input.get("photos") else job_avatars(job)
        shares = template_shares(job)
        # The configured backend, or the classic one where it has no models here (said in the result).
        work = engine_work(lambda backend: self._portraits(job, backend, avatars, shares, report))
        made, reasons = work.value
        made.sort(key=lambda pair: pair[0].identity_distance)  # best first, across the templates
        images = images_store(job, [(p.image, p.identity_distance) for p, _ in made])
        for image, (portrait, template_id) in zip(images, made):
            image["template_id"] = template_id
            image["warnings"] = list(portrait.warnings)
            image["occluders"] = list(portrait.occluders)
            image["backend"] = work.backend
        drawn = all(template == T2I_TEMPLATE for template, _, _ in shares)  # a preset's prompt, no template
        result: dict = {"images": images, "made_with": "text_to_image" if drawn else "templates", "backend": work.backend}
        if work.note:
            result["backend_note"] = work.note
        requested = sum(count for _, _, count in shares)
        if len(images) < requested:
            # Billing's capture gives back the images priced and not made (billing.services._unmade).
            result["note"] = f"{len(images)} of {requested} made: {'; '.join(reasons)}."

        def commit() -> None:
            portraits_commit(job, images, avatars=avatars)
            Avatar.objects.filter(id__in=[a.id for a in avatars]).update(last_used_at=timezone.now())

        return Outcome(result=result, on_success=commit, on_discard=lambda: images_discard(images))

    def _portraits(self, job: Job, backend, avatars: list[Avatar], shares, report: Callable[[float], None]):
        """(portrait, template id) pairs made by ``backend``, and why a template gave fewer."""
        if job.input.get("photos"):
            # Train-free: the person comes from the request's own photos, no avatar is kept.
            loaded = [backend.avatar_from_photos([photo_bytes(photo) for photo in job_photos(job)])]
        else:
            loaded = [backend.load_avatar(artifact_local(avatar=avatar)) for avatar in avatars]
        report(0.05)
        made, reasons = [], []
        for index, (template, template_id, count) in enumerate(shares):
            portraits = backend.create(
                template if template == T2I_TEMPLATE else storage_bytes(template),
                avatars=loaded,
                options=job.input.get("options") or None,
                n=count,
                on_progress=lambda fraction, index=index: report(0.05 + 0.9 * (index + fraction) / len(shares)),
            )
            made += [(portrait, template_id) for portrait in portraits]
            if len(portraits) < count and portraits.reason not in reasons:
                reasons.append(portraits.reason)
        return made, reasons

    def failed(self, job: Job) -> None:
        return None

    def retried(self, job: Job) -> None:
        return None
