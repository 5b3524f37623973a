"""Style previews made by the studio's own engine from public-domain photos that installed packages
carry, so that no style shows a blank card on a fresh install. ``seed_catalog`` makes them all;
the website makes a missing one the first time it is asked for (``style_preview_ensure``)."""
from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

from engine import imaging
from engine.backends import silhouette_over
from engine.errors import EngineError
from engine.options import parse_background
from studio.lib.engine import engine_backend

from .models import Gender, Style, StyleKind
from .services import style_preview_from_templates, style_preview_set

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def astronaut_png() -> bytes:
    """scikit-image's astronaut: Eileen Collins, NASA, public domain (skimage.data docstring)."""
    from skimage import data

    return imaging.encode(data.astronaut(), format="PNG")


def grace_hopper_jpg() -> bytes | None:
    """matplotlib's sample photo of Grace Hopper: US Navy, public domain (../shared/data/SOURCES.md).
    find_spec finds the file without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    return path.read_bytes() if path.is_file() else None


def style_preview_ensure(*, style: Style) -> bool:
    """Makes the style's preview where it has none; False where it had one or none can be made."""
    if style.preview:
        return False
    try:
        content = _preview_content(style)
    except EngineError as exc:
        log.warning("style %s: no preview (%s)", style.key, exc.message)
        return False
    if content is None:
        return False
    return style_preview_set(style=style, content=content)


def _preview_content(style: Style) -> bytes | None:
    backend = engine_backend()
    # The one frontal sample photo is a woman's: a men's style shows its backdrop with a drawn
    # silhouette rather than a woman under a "man" title.
    for_men = style.gender == Gender.MALE
    if style.kind == StyleKind.TEMPLATE:
        if style_preview_from_templates(style=style):
            return None  # made from its first template
        if style.fallback_id is None:
            return None
        return _preview_content(_as_gender(style.fallback, style.gender))
    if style.kind == StyleKind.IDPHOTO:
        colour = parse_background(style.parameters.get("background", "white"))
        if for_men:
            return imaging.encode(silhouette_over(np.full((640, 512, 3), colour, np.uint8)), format="JPEG")
        photo = backend.idphoto(astronaut_png(), **style.parameters, draft=True)
        return imaging.encode(photo.image, format="PNG")
    if style.kind == StyleKind.HEADSHOT:
        options = {key: style.parameters[key] for key in ("backdrop", "aspect", "colour") if key in style.parameters}
        if for_men:
            return imaging.encode(silhouette_over(backend.headshot_backdrop(**options, size=(512, 640))), format="JPEG")
        return imaging.encode(backend.headshot(astronaut_png(), **options).image, format="JPEG")
    if style.kind == StyleKind.STYLIZE:
        styled = backend.stylize(astronaut_png(), style_index=int(style.parameters.get("style_index", 0)))
        return imaging.encode(styled.image, format="JPEG")
    return None


def _as_gender(style: Style, gender: str) -> Style:
    """The fallback style as seen from a preset of ``gender`` (an unsaved copy: nothing is written)."""
    copy = Style(key=style.key, kind=style.kind, gender=gender, parameters=style.parameters)
    return copy
