"""The headshot backdrops: painted procedurally (no image files), each a registry entry with a
title, a one-line description, the colour of its light (the person is relit toward it) and
whether it stands close behind the person (a studio wall, which takes a contact shadow).

Painters work at a reduced size on float RGB in [0, 1]; ``head`` is where the eyes will be, in
fractions of the frame, so a studio's light pool sits behind the head. ``variant`` seeds the
generator: other variants move the light and re-scatter the bokeh, one variant always repeats.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import EngineError, ErrorCode
from . import paint

Painter = Callable[[int, int, np.random.Generator, np.ndarray, tuple[float, float]], np.ndarray]
BRAND_DEFAULT = (31, 58, 95)  # a navy


@dataclass(frozen=True)
class Backdrop:
    key: str
    title: str
    description: str
    painter: Painter
    light: tuple[float, float, float] = (1.0, 1.0, 1.0)  # per-channel gain of the backdrop's light
    studio: bool = False  # a wall just behind the person: a contact shadow falls on it
    grade: Callable[[np.ndarray], np.ndarray] | None = None  # a look over the whole picture


def _studio(height, width, rng, *, base, mottle):
    """A painted muslin: blotchy light and dark patches, a pool of light behind the head."""
    image = paint.flat(height, width, base)
    image = paint.shade(image, 1 + mottle * paint.noise(height, width, rng, cells=2, octaves=5, falloff=0.6))
    # The dye never takes evenly: a faint warm/cool drift across the cloth.
    drift = paint.noise(height, width, rng, cells=2, octaves=2)[..., None] * np.array([1.0, 0.2, -1.0], np.float32)
    return image + 0.012 * drift * (base[1] / 0.5)


def _lit(image, head, rng, *, spot, vignette):
    height, width = image.shape[:2]
    centre = (head[0] + rng.uniform(-0.14, 0.14), head[1] - rng.uniform(0.0, 0.12))
    light = paint.pool(height, width, centre, rng.uniform(0.3, 0.42), squash=rng.uniform(0.8, 1.1))
    image = paint.shade(image, (1 + spot * light) * paint.vignette(height, width, strength=vignette))
    return paint.blur(image, height / 400)


def studio_grey(height, width, rng, colour, head):
    base = np.array([0.40, 0.41, 0.42], np.float32) + rng.uniform(-0.03, 0.03)
    image = _studio(height, width, rng, base=base, mottle=0.09)
    return _lit(image, head, rng, spot=0.45, vignette=0.5)


def studio_white(height, width, rng, colour, head):
    image = _studio(height, width, rng, base=np.array([0.90, 0.90, 0.91], np.float32), mottle=0.012)
    return _lit(image, head, rng, spot=0.12, vignette=0.07)


def low_key(height, width, rng, colour, head):
    image = _studio(height, width, rng, base=np.array([0.12, 0.125, 0.135], np.float32), mottle=0.12)
    return _lit(image, head, rng, spot=0.8, vignette=0.55)


def brand(height, width, rng, colour, head):
    base = colour.astype(np.float32) / 255.0
    image = paint.shade(paint.flat(height, width, base), 1 + 0.015 * paint.noise(height, width, rng, cells=2, octaves=3))
    return _lit(image, head, rng, spot=0.22, vignette=0.28)


def office(height, width, rng, colour, head):
    """An open-plan office far out of focus: windows as columns of daylight, ceiling panels, desks
    and shelves as darker masses; cool-neutral."""
    image = paint.vertical(height, width, (0.66, 0.68, 0.71), (0.42, 0.44, 0.47))
    windows = []
    for x in np.sort(rng.uniform(-0.05, 0.95, rng.integers(3, 6))):
        w = rng.uniform(0.06, 0.14)
        windows.append((x, 0.04, x + w, rng.uniform(0.6, 0.8)))
    image = paint.rectangles(image, windows, [(1.0, 1.0, 1.0)] * len(windows))
    mullions = [(x0 + (x1 - x0) * f, y0, x0 + (x1 - x0) * f + 0.006, y1) for x0, y0, x1, y1 in windows for f in (0.5,)]
    image = paint.rectangles(image, mullions, [(0.55, 0.57, 0.6)] * len(mullions), opacity=0.8)
    ceiling = [(x, rng.uniform(0.0, 0.04), x + rng.uniform(0.12, 0.25), 0.06) for x in rng.uniform(-0.1, 0.9, 3)]
    image = paint.rectangles(image, ceiling, [(1.0, 1.0, 1.0)] * 3)
    furniture, colours = [], []
    for x in rng.uniform(-0.1, 1.0, rng.integers(3, 6)):  # shelves and cabinets
        furniture.append((x, rng.uniform(0.45, 0.6), x + rng.uniform(0.08, 0.2), 1.0))
        colours.append(rng.choice([(0.32, 0.33, 0.35), (0.55, 0.45, 0.36), (0.25, 0.26, 0.28), (0.7, 0.7, 0.72)]))
    furniture.append((-0.1, rng.uniform(0.68, 0.74), 1.1, 1.0))  # the desks' long line
    colours.append((0.38, 0.36, 0.34))
    image = paint.rectangles(image, furniture, colours, opacity=0.85)
    image = paint.blobs(image, rng, count=3, radius=(0.04, 0.08), colours=[(0.22, 0.36, 0.2)], region=(0, 0.45, 1, 0.7))
    image = paint.blur(image, height * 0.022)
    image = paint.bokeh(image, rng, count=18, radius=(0.015, 0.04), colours=[(0.95, 0.97, 1.0)], opacity=(0.08, 0.25),
                        region=(0, 0, 1, 0.65))
    return paint.desaturate(image, 0.25) * np.array([0.97, 0.99, 1.02], np.float32)


def _foliage(height, width, rng, *, top, bottom, leaves, lights, count=26, bokeh=(0.15, 0.45), radius=(0.015, 0.06)):
    """Trees or blossom far behind the person: a gradient, soft blobs of leaf colours, then
    discs of light between the leaves."""
    image = paint.vertical(height, width, top, bottom)
    image = paint.blobs(image, rng, count=45, radius=(0.04, 0.14), colours=leaves, opacity=(0.5, 0.95))
    image = paint.blur(image, height * 0.03)
    image = paint.bokeh(image, rng, count=count, radius=radius, colours=lights, opacity=bokeh, region=(0, 0, 1, 0.8))
    return paint.blur(image, 0.8)


def outdoor(height, width, rng, colour, head):
    return _foliage(height, width, rng, top=(0.78, 0.82, 0.58), bottom=(0.2, 0.3, 0.14),
                    leaves=[(0.22, 0.38, 0.14), (0.35, 0.5, 0.18), (0.5, 0.58, 0.24), (0.14, 0.25, 0.1), (0.8, 0.7, 0.35)],
                    lights=[(1.0, 0.9, 0.55), (0.95, 0.95, 0.75)])


def spring(height, width, rng, colour, head):
    return _foliage(height, width, rng, top=(0.98, 0.92, 0.94), bottom=(0.78, 0.68, 0.72),
                    leaves=[(0.98, 0.78, 0.85), (0.95, 0.65, 0.76), (1.0, 0.95, 0.96), (0.7, 0.8, 0.6), (0.9, 0.55, 0.68)],
                    lights=[(1.0, 0.85, 0.9), (1.0, 1.0, 1.0)], count=34, bokeh=(0.2, 0.5))


def summer(height, width, rng, colour, head):
    image = paint.vertical(height, width, (0.42, 0.68, 0.95), (0.75, 0.87, 0.98), gamma=0.7)
    image = paint.blobs(image, rng, count=30, radius=(0.04, 0.12), colours=[(0.3, 0.6, 0.2), (0.45, 0.7, 0.25), (0.25, 0.5, 0.18)],
                        opacity=(0.6, 0.95), region=(0, 0.55, 1, 1.05))
    image = paint.blobs(image, rng, count=6, radius=(0.04, 0.1), colours=[(0.98, 0.99, 1.0)], opacity=(0.4, 0.7), region=(0, 0, 1, 0.35))
    image = paint.blur(image, height * 0.03)
    return paint.bokeh(image, rng, count=24, radius=(0.015, 0.05), colours=[(1.0, 0.95, 0.7), (1.0, 1.0, 0.9)], opacity=(0.15, 0.45))


def autumn(height, width, rng, colour, head):
    return _foliage(height, width, rng, top=(0.9, 0.62, 0.3), bottom=(0.4, 0.17, 0.07),
                    leaves=[(0.85, 0.4, 0.1), (0.75, 0.2, 0.08), (0.95, 0.7, 0.2), (0.45, 0.22, 0.1), (0.6, 0.3, 0.1)],
                    lights=[(1.0, 0.75, 0.35), (1.0, 0.88, 0.6)])


def winter(height, width, rng, colour, head):
    image = paint.vertical(height, width, (0.86, 0.91, 0.97), (0.55, 0.64, 0.78))
    image = paint.blobs(image, rng, count=20, radius=(0.05, 0.14), colours=[(0.7, 0.78, 0.9), (0.95, 0.97, 1.0), (0.5, 0.6, 0.75)],
                        opacity=(0.4, 0.8))
    image = paint.blur(image, height * 0.03)
    image = paint.bokeh(image, rng, count=30, radius=(0.012, 0.045), colours=[(1.0, 1.0, 1.0), (0.85, 0.92, 1.0)], opacity=(0.2, 0.55))
    # Snowflakes nearer the lens: small, only a little soft.
    return paint.bokeh(image, rng, count=90, radius=(0.002, 0.006), colours=[(1.0, 1.0, 1.0)], opacity=(0.4, 0.9), edge=0.5, rim=0.0)


def city_night(height, width, rng, colour, head):
    image = paint.vertical(height, width, (0.05, 0.05, 0.13), (0.14, 0.07, 0.14))
    towers = [(x, rng.uniform(0.1, 0.5), x + rng.uniform(0.06, 0.16), 1.0) for x in rng.uniform(-0.1, 1.0, 7)]
    image = paint.rectangles(image, towers, [(0.08, 0.08, 0.14)] * len(towers), opacity=0.9)
    image = paint.blur(image, height * 0.02)
    neon = [(1.0, 0.3, 0.65), (0.3, 0.85, 1.0), (1.0, 0.7, 0.3), (1.0, 0.35, 0.25), (1.0, 0.85, 0.55)]
    image = paint.bokeh(image, rng, count=30, radius=(0.03, 0.09), colours=neon, opacity=(0.15, 0.5), edge=0.2)
    image = paint.bokeh(image, rng, count=25, radius=(0.008, 0.02), colours=neon, opacity=(0.3, 0.8))
    return paint.blur(image, 1.2)


def vintage(image: np.ndarray) -> np.ndarray:
    """A slightly faded, warm film look: blacks lifted, colour calmed, highlights warm."""
    image = paint.desaturate(image, 0.12)
    image = 0.05 + 0.9 * image
    return image * np.array([1.04, 1.0, 0.92], np.float32) + np.array([0.0, 0.0, 0.03], np.float32) * (1 - image)


BACKDROPS: dict[str, Backdrop] = {b.key: b for b in (
    Backdrop("studio_grey", "Studio grey", "A painted grey canvas with a soft light behind the head, as in a portrait studio.", studio_grey, studio=True),
    Backdrop("studio_white", "Studio white", "Bright high-key white, clean and even.", studio_white, studio=True),
    Backdrop("low_key", "Low key", "Dark charcoal with a faint glow behind the head.", low_key, light=(1.01, 1.0, 0.98), studio=True),
    Backdrop("office", "Office", "A bright modern office far out of focus.", office, light=(0.97, 1.0, 1.04)),
    Backdrop("outdoor", "Outdoor", "A green and golden park, softly out of focus.", outdoor, light=(1.04, 1.02, 0.93)),
    Backdrop("brand", "Brand colour", "Your brand's colour with a soft light behind the head (navy unless given).", brand, studio=True),
    Backdrop("spring", "Spring", "Pink and white blossom out of focus.", spring, light=(1.02, 0.99, 1.0)),
    Backdrop("summer", "Summer", "Bright sky blue and sunny green.", summer, light=(1.03, 1.01, 0.96)),
    Backdrop("autumn", "Autumn", "Warm orange and red leaves out of focus.", autumn, light=(1.08, 1.0, 0.86)),
    Backdrop("winter", "Winter", "Cool blue-white with falling snow.", winter, light=(0.94, 0.99, 1.08)),
    Backdrop("city_night", "City night", "Warm neon lights of a city at night, with a vintage look.", city_night,
             light=(1.08, 0.97, 0.9), grade=vintage),
)}


def backdrop_for(key: str) -> Backdrop:
    try:
        return BACKDROPS[key]
    except (KeyError, TypeError):
        raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown backdrop {key!r}; use one of: {', '.join(BACKDROPS)}.") from None


def parse_colour(colour) -> tuple[int, int, int]:
    """A brand colour from "#rrggbb" or an (r, g, b) of 0-255 integers; None is the default navy."""
    if colour is None:
        return BRAND_DEFAULT
    if isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour.strip()):
        value = colour.strip()[1:]
        return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))
    if (isinstance(colour, (tuple, list)) and len(colour) == 3
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= 255 for v in colour)):
        return tuple(int(v) for v in colour)
    raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown colour {colour!r}: use \"#rrggbb\" or three numbers 0-255, e.g. (31, 58, 95).")


def backdrop_paint(backdrop: Backdrop, height: int, width: int, *, variant: int, colour: tuple[int, int, int],
                   head: tuple[float, float]) -> np.ndarray:
    """The backdrop at ``height`` x ``width`` (float RGB, 0-255): painted at half size (it is all
    out of focus), enlarged, with a fine grain so it does not band."""
    rng = np.random.default_rng([variant, zlib.crc32(backdrop.key.encode())])
    small = backdrop.painter(max(8, height // 2), max(8, width // 2), rng, np.asarray(colour, np.float32), head)
    image = cv2.resize(np.clip(small, 0, 1), (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(paint.grain(image, rng, amount=0.006) * 255.0, 0, 255)

