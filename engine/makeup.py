"""Make-up transfer: the template's lip and eye-area colour carried onto the fused face."""
from __future__ import annotations

import numpy as np

from . import masks
from .color import from_lab, lab_stats, to_lab


def transfer_makeup(
    fused: np.ndarray, template: np.ndarray, points: np.ndarray, *, ratio: float, feather_sigma: float
) -> np.ndarray:
    """Move the lips' and eyelids' LAB statistics of ``fused`` toward the template's at ``ratio``.

    ``points`` locate the face in both images (the fused face sits where the template's was).
    """
    if ratio <= 0:
        return fused
    lab_f, lab_t = to_lab(fused), to_lab(template)
    result = lab_f.copy()
    for region in (masks.lips_mask(points, fused.shape), masks.eye_area_mask(points, fused.shape)):
        if not region.any():
            continue
        mean_f, std_f = lab_stats(lab_f, region)
        mean_t, std_t = lab_stats(lab_t, region)
        moved = (lab_f - mean_f) * np.clip(std_t / std_f, 0.6, 1.6) + mean_t
        # Lightness is the face's own (shape and shading); only colour is make-up.
        moved[..., 0] = lab_f[..., 0] + 0.3 * (moved[..., 0] - lab_f[..., 0])
        weight = ratio * masks.feather(region, feather_sigma)[:, :, None]
        result = result + weight * (moved - result)
    return from_lab(result)
