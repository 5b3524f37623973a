"""Stylizations and ID photos: validated at once, then done by a job."""
from __future__ import annotations

from engine.errors import EngineError, ErrorCode
from engine.options import CUSTOM_STYLE_INDEX, parse_background, spec_for
from jobs.models import Job, JobKind
from jobs.services import job_submit

from ..backend import engine_backend
from ..models import Avatar, Photo, Style, StyleKind
from ..selectors import template_list_for
from .portraits import portrait_create_submit


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
    return job_submit(
        owner=owner,
        kind=JobKind.IDPHOTO,
        payload={"photo": photo, "size": size, "background": background, "sheet": sheet, "style_id": style_id},
        avatar=avatar,
        source=source,
        app_id=app_id,
        idempotency_key=idempotency_key,
    )


class StyleUnavailable(Exception):
    """The style cannot be made for this avatar now; ``message`` says why, for the customer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def style_apply_submit(*, owner, avatar: Avatar, style: Style, n: int = 1, options: dict | None = None,
                       source: str = "web", app_id: str = "", idempotency_key: str | None = None) -> Job:
    """A style made for an avatar, whatever its kind: an ID photo and a stylization start from the
    avatar's reference photo; a template style spreads its n portraits over its templates."""
    common = {"owner": owner, "style_id": style.id, "source": source, "app_id": app_id,
              "idempotency_key": idempotency_key}
    if style.kind == StyleKind.IDPHOTO:
        return idphoto_submit(avatar=avatar, size=style.parameters.get("size", "1inch"),
                              background=style.parameters.get("background", "white"), **common)
    if style.kind == StyleKind.STYLIZE:
        reference = Photo.objects.filter(owner=owner, avatar=avatar, is_reference=True).first()
        if reference is None:
            raise StyleUnavailable("This avatar has no reference photo yet; wait until its training is done.")
        return stylization_submit(image=reference.image.name,
                                  style_index=int(style.parameters.get("style_index", 0)), **common)
    templates = list(template_list_for(owner=owner, style=style)[:n])
    if not templates:
        raise StyleUnavailable(f"The style {style.key} has no templates on this studio yet; an administrator "
                               f"imports a pack with `manage.py import_templates`.")
    first, *more = templates
    return portrait_create_submit(
        avatars=[avatar], template=first.image.name, template_id=first.id, more_templates=more, n=n,
        options={**style.parameters, **(options or {})}, **common,
    )
