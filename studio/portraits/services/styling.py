"""Stylizations and ID photos: validated at once, then done by a job."""
from __future__ import annotations

from engine.errors import EngineError, ErrorCode
from engine.options import CUSTOM_STYLE_INDEX, paper_for, parse_background, spec_for
from jobs.models import Job, JobKind
from jobs.services import job_submit
from studio.lib.engine import engine_backend

from ..models import Avatar
from ..selectors import avatar_best_photos
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
                   background: str = "white", sheet: bool | str = False, draft: bool = False, n: int = 1,
                   style_id: int | None = None, source: str = "web", app_id: str = "",
                   idempotency_key: str | None = None) -> Job:
    """From a photo (storage name) or from an avatar; size, colour and sheet checked now.

    Every ID photo comes with its compliance report; one that fails a check fails the job (nothing
    is charged) unless ``draft`` asks for it anyway, marked not compliant. ``sheet``: False, or True /
    "6x4" / "a6" for a print sheet of copies.

    From an avatar, ``photos`` lists its checked photos; the job measures each against the rules and
    makes the ID photos from the most compliant (not the best likeness). ``n`` asks for n variants,
    each from another photo: the same photo reframed twice would be the same picture. An avatar with
    fewer photos gets fewer: payload ``n`` is what can be made and is priced, ``requested`` what was
    asked; images the job could not make are not charged."""
    if (photo is None) == (avatar is None):
        raise EngineError(ErrorCode.INVALID_OPTION, "An ID photo is made from either a photo or an avatar.")
    spec_for(size)
    parse_background(background)
    paper_for(sheet)
    payload = {"photo": photo, "size": size, "background": background, "sheet": sheet, "draft": bool(draft),
               "style_id": style_id}
    if avatar is not None:
        sources = avatar_best_photos(avatar=avatar)
        payload |= {"photos": [source.id for source in sources], "requested": max(1, n),
                    "n": max(1, min(n, len(sources)))}
    return avatar_job_submit(
        owner=owner,
        kind=JobKind.IDPHOTO,
        payload=payload,
        avatar=avatar,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )
