"""Pictures lit from one side with a chosen colour at each lightness, and the slope of a face's
skin colour on its lightness, for the colour tests."""
from __future__ import annotations

import numpy as np

from engine import masks
from engine.color import from_lab, to_lab


def shaded(shape: tuple[int, int], points: np.ndarray, lightness: tuple[float, float], colour) -> np.ndarray:
    """A picture lit from the left: L from lightness[0] to lightness[1] across the face at
    ``points`` (held beyond it), and (a, b) given by ``colour(L)``."""
    x0, x1 = points[:, 0].min(), points[:, 0].max()
    across = np.clip((np.arange(shape[1], dtype=np.float32) - x0) / (x1 - x0), 0.0, 1.0)
    lab = np.empty((*shape, 3), np.float32)
    lab[..., 0] = (lightness[0] + across * (lightness[1] - lightness[0]))[None, :]
    lab[..., 1], lab[..., 2] = colour(lab[..., 0])
    return from_lab(lab)


def skin_b_slope(rgb: np.ndarray, points: np.ndarray) -> float:
    """The least-squares slope of CIELAB b on L over the skin of the face at ``points``, measured
    here apart from the code's own (color._slope)."""
    lab = to_lab(rgb)
    skin = masks.skin_mask(points, lab.shape) > 0
    light, b = lab[..., 0][skin], lab[..., 2][skin]
    light = light - light.mean()
    return float((light * (b - b.mean())).sum() / (light * light).sum())
