"""Filling a hole in a face from the skin around it, for areas wider than a line (a spectacle
frame, the lens it held): a smooth membrane from the hole's edge inwards, with the skin's grain.

OpenCV's inpainting (Telea, Navier-Stokes) carries the edge's pixels along lines into the hole:
over a frame 10-20 px thick that leaves streaks and blocks a customer sees at full size. A
push-pull pyramid (normalised blurs down, the coarse guesses carried back up) fills the hole with
the smooth interpolation of its edge at every scale, in a few milliseconds; the membrane has no
grain, so noise at the measured grain of the skin around it is added. No library the engine
depends on has such a fill (scikit-image's biharmonic inpainting solves a sparse system: seconds).
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import masks

COARSEST = 8  # px: the pyramid stops at this size


def fill_smooth(image: np.ndarray, hole: np.ndarray, *, lines: np.ndarray | None = None, lines_width: float = 8.0,
                lines_where: np.ndarray | None = None, grain_from: np.ndarray | None = None) -> np.ndarray:
    """``image`` (uint8 RGB) with the pixels of ``hole`` (uint8 mask) filled from around it.

    ``lines``: the same image inpainted by OpenCV, whose detail finer than ``lines_width`` px (a
    brow's hairs carried across the hole) is laid over the membrane, weighted by ``lines_where``
    (float 0-1, image-sized; everywhere without it): the membrane alone blurs such lines away,
    the inpainting alone streaks, and where it meets from two sides it leaves a step. The noise
    added matches the fine detail of ``image`` over ``grain_from`` (uint8 mask, by default a ring
    around the hole)."""
    inside = hole > 0
    if not inside.any():
        return image
    ys, xs = np.nonzero(inside)
    pad = max(int(0.5 * max(ys.max() - ys.min(), xs.max() - xs.min())), 16)
    y0, y1 = max(ys.min() - pad, 0), min(ys.max() + pad + 1, image.shape[0])
    x0, x1 = max(xs.min() - pad, 0), min(xs.max() + pad + 1, image.shape[1])
    part = image[y0:y1, x0:x1].astype(np.float32)
    local = inside[y0:y1, x0:x1]
    filled = _push_pull(part, (~local).astype(np.float32))
    if lines is not None:
        carried = lines[y0:y1, x0:x1].astype(np.float32)
        detail = carried - cv2.GaussianBlur(carried, (0, 0), lines_width)
        if lines_where is not None:
            detail *= lines_where[y0:y1, x0:x1, None]
        filled += detail
    if grain_from is None:
        grain_from = cv2.subtract(masks.grow_mask(hole, pad / 4), masks.grow_mask(hole, 2))
    filled += _grain(part, grain_from[y0:y1, x0:x1] > 0, local)
    out = image.copy()
    window = out[y0:y1, x0:x1]
    window[local] = np.clip(filled[local] + 0.5, 0, 255).astype(np.uint8)
    return out


def _push_pull(image: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Every pixel's estimate from the known ones (weights 0-1), coarse to fine."""
    values, weights = [image * known[:, :, None]], [known]
    while min(weights[-1].shape) > COARSEST:
        values.append(cv2.pyrDown(values[-1]))
        weights.append(cv2.pyrDown(weights[-1]))
    estimate = values[-1] / np.maximum(weights[-1], 1e-6)[:, :, None]
    for level in range(len(values) - 2, -1, -1):
        weight = weights[level]
        coarse = cv2.pyrUp(estimate, dstsize=(weight.shape[1], weight.shape[0]))
        # Where a level has (nearly) whole support its own average stands; elsewhere the coarser guess.
        trust = np.clip(weight * 2.0, 0.0, 1.0)[:, :, None]
        estimate = trust * values[level] / np.maximum(weight, 1e-6)[:, :, None] + (1.0 - trust) * coarse
    return estimate


def _grain(image: np.ndarray, sample: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Noise in the hole with the fine detail's spread over ``sample`` (the same on each channel,
    as skin's grain is mostly in its lightness); the same for the same picture (seeded)."""
    if sample.sum() < 50:
        return np.zeros_like(image)
    grey = image.mean(axis=2)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 1.5)
    spread = 1.4826 * float(np.median(np.abs(detail[sample])))
    rng = np.random.default_rng(int(hole.sum()) + hole.shape[0] * 7919)
    noise = cv2.GaussianBlur(rng.standard_normal(grey.shape).astype(np.float32), (0, 0), 0.7)
    noise *= spread / max(float(noise.std()), 1e-6)
    return np.repeat(noise[:, :, None], 3, axis=2)
