"""Procedural painting for the headshot backdrops: painted-canvas mottle, soft light pools,
vignettes, defocused shapes and bokeh discs. Everything works on float RGB in [0, 1] and draws
from a seeded numpy Generator, so one variant always paints the same picture."""
from __future__ import annotations

import cv2
import numpy as np

from ..masks import blur_wide as blur  # noqa: F401  (the painters' wide blur)


def flat(height: int, width: int, colour) -> np.ndarray:
    return np.broadcast_to(np.asarray(colour, np.float32), (height, width, 3)).copy()


def vertical(height: int, width: int, top, bottom, *, gamma: float = 1.0) -> np.ndarray:
    """A top-to-bottom blend of two colours."""
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None] ** gamma
    return np.broadcast_to((1 - t) * np.asarray(top, np.float32) + t * np.asarray(bottom, np.float32),
                           (height, width, 3)).copy()


def noise(height: int, width: int, rng: np.random.Generator, *, cells: int = 3, octaves: int = 4,
          falloff: float = 0.55) -> np.ndarray:
    """Smooth value noise (H x W, mean 0, std about 1): random grids of growing fineness enlarged
    with cubic interpolation and summed, coarse ones strongest, like a painted canvas' blotches."""
    total = np.zeros((height, width), np.float32)
    weight = 1.0
    for octave in range(octaves):
        rows = cells * 2 ** octave
        columns = max(2, round(rows * width / height))
        grid = rng.standard_normal((rows + 2, columns + 2)).astype(np.float32)
        layer = cv2.resize(grid, (width + 2 * width // columns, height + 2 * height // rows), interpolation=cv2.INTER_CUBIC)
        oy, ox = height // rows, width // columns
        total += weight * layer[oy : oy + height, ox : ox + width]
        weight *= falloff
    total -= total.mean()
    return total / max(float(total.std()), 1e-6)


def pool(height: int, width: int, centre: tuple[float, float], radius: float, *, squash: float = 1.0) -> np.ndarray:
    """A soft pool of light (H x W, 1 at ``centre``, fractions of the frame, Gaussian falloff with
    ``radius`` a fraction of the frame's height; ``squash`` < 1 makes it taller than wide)."""
    ys = (np.arange(height, dtype=np.float32) / height - centre[1])[:, None]
    xs = (np.arange(width, dtype=np.float32) / height - centre[0] * width / height)[None, :] * squash
    return np.exp(-(xs ** 2 + ys ** 2) / (2 * radius ** 2))


def vignette(height: int, width: int, *, strength: float, softness: float = 0.75) -> np.ndarray:
    """A multiplier (H x W) that darkens the corners by up to ``strength``."""
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    reach = np.sqrt(xs ** 2 + ys ** 2) / np.sqrt(2.0)
    return 1.0 - strength * np.clip((reach - (1 - softness)) / softness, 0.0, 1.0) ** 2


def shade(image: np.ndarray, amount: np.ndarray) -> np.ndarray:
    return image * amount[..., None]


def tint(image: np.ndarray, mask: np.ndarray, colour, opacity: float = 1.0) -> np.ndarray:
    """``image`` blended toward ``colour`` where ``mask`` (0-1) says."""
    weight = (np.clip(mask, 0, 1) * opacity)[..., None]
    return image * (1 - weight) + np.asarray(colour, np.float32) * weight


def rectangles(image: np.ndarray, boxes, colours, opacity: float = 1.0) -> np.ndarray:
    """Solid rectangles ``(x0, y0, x1, y1)`` in fractions of the frame, painted over ``image``."""
    height, width = image.shape[:2]
    out = image.copy()
    for (x0, y0, x1, y1), colour in zip(boxes, colours):
        rows = slice(max(0, round(y0 * height)), max(0, round(y1 * height)))
        columns = slice(max(0, round(x0 * width)), max(0, round(x1 * width)))
        out[rows, columns] = out[rows, columns] * (1 - opacity) + np.asarray(colour, np.float32) * opacity
    return out


def bokeh(image: np.ndarray, rng: np.random.Generator, *, count: int, radius: tuple[float, float], colours,
          opacity: tuple[float, float], region: tuple[float, float, float, float] = (0, 0, 1, 1),
          edge: float = 0.12, rim: float = 0.25) -> np.ndarray:
    """Out-of-focus highlights: ``count`` discs (radius a fraction of the frame's height) screened
    onto ``image`` inside ``region`` (x0, y0, x1, y1 fractions), each a flat disc with a soft edge
    and a slightly brighter rim, the way a lens renders a point of light far behind the subject."""
    height, width = image.shape[:2]
    out = image.copy()
    colours = np.asarray(colours, np.float32).reshape(-1, 3)
    for _ in range(count):
        r = rng.uniform(*radius) * height
        x = rng.uniform(region[0], region[2]) * width
        y = rng.uniform(region[1], region[3]) * height
        colour = colours[rng.integers(len(colours))] * rng.uniform(0.85, 1.1)
        strength = rng.uniform(*opacity)
        x0, x1 = max(0, int(x - r - 1)), min(width, int(x + r + 2))
        y0, y1 = max(0, int(y - r - 1)), min(height, int(y + r + 2))
        if x0 >= x1 or y0 >= y1:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        d = np.sqrt((xs - x) ** 2 + (ys - y) ** 2) / r
        alpha = np.clip((1 - d) / edge, 0, 1) * (1 - rim + rim * d ** 4) * strength
        patch = out[y0:y1, x0:x1]
        out[y0:y1, x0:x1] = 1 - (1 - patch) * (1 - alpha[..., None] * np.clip(colour, 0, 1))
    return out


def grain(image: np.ndarray, rng: np.random.Generator, *, amount: float) -> np.ndarray:
    """Fine luminance grain: a smooth computer gradient bands in 8 bits; a photo never does."""
    return image + amount * rng.standard_normal(image.shape[:2], dtype=np.float32)[..., None]


def blobs(image: np.ndarray, rng: np.random.Generator, *, count: int, radius: tuple[float, float], colours,
          opacity: tuple[float, float] = (0.6, 1.0), region: tuple[float, float, float, float] = (0, 0, 1, 1)) -> np.ndarray:
    """Soft-edged ellipses of the given colours (foliage, blossom, lit windows far out of focus);
    blur the result to defocus them."""
    height, width = image.shape[:2]
    out = image.copy()
    colours = np.asarray(colours, np.float32).reshape(-1, 3)
    for _ in range(count):
        cx, cy = rng.uniform(region[0], region[2]) * width, rng.uniform(region[1], region[3]) * height
        axes = (max(1, round(rng.uniform(*radius) * height)), max(1, round(rng.uniform(*radius) * height)))
        angle, strength = float(rng.uniform(0, 180)), rng.uniform(*opacity)
        colour = colours[rng.integers(len(colours))]
        reach = max(axes) + 2
        x0, x1 = max(0, int(cx - reach)), min(width, int(cx + reach))
        y0, y1 = max(0, int(cy - reach)), min(height, int(cy + reach))
        if x0 >= x1 or y0 >= y1:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), np.float32)
        cv2.ellipse(mask, (round(cx) - x0, round(cy) - y0), axes, angle, 0, 360, 1.0, -1, cv2.LINE_AA)
        weight = mask[..., None] * strength
        out[y0:y1, x0:x1] = out[y0:y1, x0:x1] * (1 - weight) + colour * weight
    return out


def desaturate(image: np.ndarray, amount: float) -> np.ndarray:
    grey = image @ np.array([0.299, 0.587, 0.114], np.float32)
    return image * (1 - amount) + grey[..., None] * amount
