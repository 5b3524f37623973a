"""Multi-band blending of the new face into the template: each frequency band crosses over in
a width of its own, and every band's weight stays inside the mask.

Plain feathering crosses every frequency over in one band: a colour or light difference left
after the colour shift draws a line there (the arc across a bare forehead). Here fine detail
crosses over at the mask's edge, and colour and light fade in over a wide zone inside it, so
the template's own colour and light hold at the edge and the avatar's take over gradually.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .. import masks


def band_weights(alpha: np.ndarray, ramps: Sequence[float], *, widen: np.ndarray | None = None) -> list[np.ndarray]:
    """The weight of each band: ``alpha`` for the finest; for band k a smooth ramp from 0 at the
    mask's outer edge to 1 at ``ramps[k]`` px inside it (times ``widen`` where given), never
    above ``alpha``.

    A ramp wider than the mask's feather fades that band in more gently than the feather; one
    narrower leaves the band on the feather. Where the mask is 0 no band changes the template.
    """
    inside = cv2.distanceTransform((alpha > 0.02).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_5)
    weights = [alpha]
    for width in ramps:
        scale = width * widen if widen is not None else width
        weights.append(np.minimum(alpha, masks.smooth_ramp(inside, np.maximum(scale, 1e-3))))
    return weights


def multiband_blend(
    base: np.ndarray, top: np.ndarray, weights: Sequence[np.ndarray], scales: Sequence[float]
) -> np.ndarray:
    """``top`` over ``base`` (uint8 RGB): the difference ``top - base`` is split at the low-pass
    ``scales`` (px, increasing) into len(scales) + 1 bands, band k blended with ``weights[k]``.

    The bands sum to the difference, so where every weight is 1 the result is ``top`` and where
    every weight is 0 it is ``base``, byte for byte.
    """
    if len(weights) != len(scales) + 1:
        raise ValueError("one weight per band: len(scales) + 1")
    out = base.copy()
    inside = weights[0] > 1e-3
    if not inside.any():
        return out
    # Only the mask's bounding box is worked on (a third of the work area): outside it every
    # weight is 0, and the low-passes read masked pixels only, so nothing outside is needed.
    box = masks.mask_box(inside, margin=0)
    out[box] = _blend_box(base[box], top[box], [w[box] for w in weights], scales)
    return out


def _blend_box(base: np.ndarray, top: np.ndarray, weights: Sequence[np.ndarray], scales: Sequence[float]) -> np.ndarray:
    base_f = base.astype(np.float32)
    difference = top.astype(np.float32) - base_f
    # Weighted by the mask itself: pixels mostly of the template (hair at a fringe's edge) count
    # for little in the low-passes.
    support = weights[0].astype(np.float32)
    result = base_f
    finer = difference.copy()  # updated in place below; ``difference`` feeds every low-pass
    for weight, sigma in zip(weights, scales):
        coarser = masks.blur_within(difference, support, sigma)  # nothing from outside the mask
        finer -= coarser
        finer *= weight[:, :, None]
        result += finer
        finer = coarser
    finer *= weights[-1][:, :, None]
    result += finer
    out = np.clip(result + 0.5, 0, 255).astype(np.uint8)
    untouched = weights[0] <= 1e-3
    out[untouched] = base[untouched]
    return out
