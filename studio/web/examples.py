"""The landing page's before/after example, made by the studio's own engine from two public-domain
photos (Eileen Collins, NASA; Grace Hopper, US Navy): made once, then kept in storage."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from engine import imaging
from engine.errors import EngineError
from studio.catalog.previews import astronaut_png, grace_hopper_jpg
from studio.lib.engine import engine_backend

log = logging.getLogger(__name__)

# A new name when the recipe changes, so that an old example is not shown for a new engine.
FOLDER = "examples/v1"
SELFIE, TEMPLATE, PORTRAIT = f"{FOLDER}/selfie.jpg", f"{FOLDER}/template.jpg", f"{FOLDER}/portrait.jpg"


@dataclass(frozen=True)
class Example:
    selfie: str  # storage names
    template: str
    portrait: str
    identity_distance: float | None


def landing_example() -> Example | None:
    """The example, made on first use; None where the demo photos are not installed."""
    if all(default_storage.exists(name) for name in (SELFIE, TEMPLATE, PORTRAIT)):
        return Example(SELFIE, TEMPLATE, PORTRAIT, None)
    template = grace_hopper_jpg()
    if template is None:
        return None
    selfie = astronaut_png()
    try:
        backend = engine_backend()
        made = backend.create(template, avatars=[backend.avatar_from_photos([selfie])], n=1)[0]
    except EngineError as exc:
        log.warning("landing example not made: %s", exc)
        return None
    for name, content in ((SELFIE, _jpeg(selfie)), (TEMPLATE, _jpeg(template)),
                          (PORTRAIT, imaging.encode(made.image, format="JPEG", quality=90))):
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
    return Example(SELFIE, TEMPLATE, PORTRAIT, made.identity_distance)


def _jpeg(content: bytes) -> bytes:
    return imaging.encode(imaging.decode(content, max_side=768).rgb, format="JPEG", quality=90)
