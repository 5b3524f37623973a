"""Pictures lit from one side with a chosen colour at each lightness, for the colour tests."""
from __future__ import annotations

import numpy as np

from engine.color import from_lab


def shaded(shape: tuple[int, int], points: np.ndarray, lightness: tuple[float, float], colour) -> np.ndarray:
    """A picture lit from the left: L from lightness[0] to lightness[1] across the face at
    ``points`` (held beyond it), and (a, b) given by ``colour(L)``."""
    x0, x1 = points[:, 0].min(), points[:, 0].max()
    across = np.clip((np.arange(shape[1], dtype=np.float32) - x0) / (x1 - x0), 0.0, 1.0)
    lab = np.empty((*shape, 3), np.float32)
    lab[..., 0] = (lightness[0] + across * (lightness[1] - lightness[0]))[None, :]
    lab[..., 1], lab[..., 2] = colour(lab[..., 0])
    return from_lab(lab)
