"""Headshots: portraits with no template, made from the avatar's own best photos on a backdrop."""
from __future__ import annotations

from engine.backends import BACKDROPS
from engine.errors import EngineError, ErrorCode
from engine.options import parse_background
from jobs.models import Job, JobKind
from studio.catalog.models import Style

from ..models import Avatar
from ..selectors import avatar_best_photos
from .jobs import avatar_job_submit

# What a customer may choose on a headshot style; the backdrop is the style's.
CUSTOMER_OPTIONS = ("aspect", "colour")
HEADSHOT_ASPECTS = ("4:5", "1:1")  # the crops engine.headshot frames


def headshot_options_check(*, parameters: dict, options: dict) -> dict:
    """The style's parameters with the customer's options over them, checked now so that a wrong
    value costs nothing: EngineError INVALID_OPTION naming what is accepted."""
    unknown = sorted(set(options) - set(CUSTOMER_OPTIONS))
    if unknown:
        raise EngineError(ErrorCode.INVALID_OPTION,
                          f"A headshot takes the options {' and '.join(CUSTOMER_OPTIONS)}, not {', '.join(unknown)}.")
    merged = {**parameters, **options}
    backdrop = merged.get("backdrop", "studio_grey")
    if backdrop not in BACKDROPS:
        raise EngineError(ErrorCode.INVALID_OPTION,
                          f"Unknown backdrop {backdrop!r}: use one of {', '.join(BACKDROPS)}.")
    aspect = merged.get("aspect", "4:5")
    if aspect not in HEADSHOT_ASPECTS:
        raise EngineError(ErrorCode.INVALID_OPTION, f"aspect must be {' or '.join(HEADSHOT_ASPECTS)}, not {aspect!r}.")
    checked = {"backdrop": backdrop, "aspect": aspect}
    if merged.get("colour") is not None:
        if not isinstance(merged["colour"], str):
            raise EngineError(ErrorCode.INVALID_OPTION, "colour must read like #1f3a5f.")
        parse_background(merged["colour"])
        checked["colour"] = merged["colour"]
    return checked


def headshot_submit(*, owner, avatar: Avatar, options: dict, n: int = 1, headshot_style: Style,
                    stand_in_for: Style | None = None, style_id: int | None = None, source: str = "web",
                    app_id: str = "", idempotency_key: str | None = None) -> Job:
    """A create job that makes up to ``n`` headshots, each from another of the avatar's photos
    (best first; the same photo twice would be the same face). An avatar with fewer photos gets
    fewer: payload ``n`` is what can be made and is priced, ``requested`` what was asked.
    ``stand_in_for`` is the template style this headshot style makes for now (said in the result)."""
    sources = avatar_best_photos(avatar=avatar)
    payload = {
        "model_ids": [str(avatar.model_id)],
        "headshot": {**options, "style": headshot_style.key, "title": headshot_style.title},
        "headshot_photos": [photo.id for photo in sources],
        "stand_in_for": stand_in_for.key if stand_in_for is not None else "",
        "style_id": style_id,
        "requested": max(1, n),
        "n": max(1, min(n, len(sources))),
    }
    return avatar_job_submit(owner=owner, kind=JobKind.CREATE, payload=payload, avatar=avatar, source=source,
                             app_id=app_id, idempotency_key=idempotency_key)
