"""Stylizations and ID photos: validated at once, then done by a job."""
from __future__ import annotations

from engine.errors import EngineError, ErrorCode
from engine.options import CUSTOM_STYLE_INDEX, parse_background, spec_for
from jobs.models import Job, JobKind
from jobs.services import job_submit
from studio.lib.engine import engine_backend

from ..models import Avatar
from .jobs import avatar_job_submit


def stylization_submit(*, owner, image: str, style_index: int, reference: str | None = None,
                       style_id: int | None = None, source: str = "web", app_id: str = "",
                       idempotency_key: str | None = None) -> Job:
    """``image`` and ``reference`` are storage names; index -1 takes its style from the reference."""
    presets = len(engine_backend().style_presets())
    if style_index == CUSTOM_STYLE_INDEX:
        if not reference:
            raise EngineError(ErrorCode.INVALID_OPTION, "style_index -1 needs a reference image (style_ref_url).")
    elif not 0 <= style_index < presets:
        raise EngineError(
            ErrorCode.INVALID_OPTION, f"style_index must be -1 or between 0 and {presets - 1}."
        )
    return job_submit(
        owner=owner,
        kind=JobKind.STYLIZE,
        payload={"image": image, "style_index": style_index, "reference": reference, "style_id": style_id},
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )


def idphoto_submit(*, owner, photo: str | None = None, avatar: Avatar | None = None, size: str = "1inch",
                   background: str = "white", sheet: bool = False, style_id: int | None = None,
                   source: str = "web", app_id: str = "", idempotency_key: str | None = None) -> Job:
    """From a photo (storage name) or from an avatar's reference photo; size and colour checked now."""
    if (photo is None) == (avatar is None):
        raise EngineError(ErrorCode.INVALID_OPTION, "An ID photo is made from either a photo or an avatar.")
    spec_for(size)
    parse_background(background)
    return avatar_job_submit(
        owner=owner,
        kind=JobKind.IDPHOTO,
        payload={"photo": photo, "size": size, "background": background, "sheet": sheet, "style_id": style_id},
        avatar=avatar,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )
