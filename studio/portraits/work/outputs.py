"""Images a job made: kept in storage first, shown in the gallery only once the job succeeds."""
from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from engine import imaging
from jobs.models import Job

from ..models import Avatar, Portrait


def images_store(job: Job, images: Sequence[tuple[np.ndarray, float | None]], *, dpi: int | None = None) -> list[dict]:
    """Saves (pixels, identity distance) pairs as JPEGs; returns what the job's result records."""
    stored = []
    for rgb, identity_distance in images:
        height, width = rgb.shape[:2]
        name = default_storage.save(
            f"portraits/{job.owner_id}/{uuid.uuid4().hex}.jpg",
            ContentFile(imaging.encode(rgb, format="JPEG", quality=95, dpi=dpi)),
        )
        stored.append({
            "name": name,
            "width": width,
            "height": height,
            "identity_distance": None if identity_distance is None else round(float(identity_distance), 4),
        })
    return stored


def portraits_commit(job: Job, images: list[dict], *, avatars: Sequence[Avatar] = ()) -> None:
    """The gallery rows of a succeeded job, best first."""
    for rank, image in enumerate(images):
        portrait = Portrait.objects.create(
            owner_id=job.owner_id,
            job=job,
            template_id=image.get("template_id", job.input.get("template_id")),
            style_id=job.input.get("style_id"),
            image=image["name"],
            width=image["width"],
            height=image["height"],
            rank=rank,
            identity_distance=image["identity_distance"],
            warnings=image.get("warnings", []),
        )
        if avatars:
            portrait.avatars.set(avatars)


def images_discard(images: list[dict]) -> None:
    for image in images:
        default_storage.delete(image["name"])
