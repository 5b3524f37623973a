"""Skin texture of the new face matched to the template's: grain, sharpness and detail per band.

A reference face warped and enlarged is smoother than the photo around it, and a young face is
smoother than an old neck. Both faces sit on the same landmarks, so their skin is compared on
the same pixels, band by band: grain at the template's own resolution (added where the template
has more, softened where it has less), pores at the fusion's working size.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .. import masks

# Low-pass scales (px, at the fusion's working size) that split detail into bands: below 1 px
# is grain (sensor noise, film grain, JPEG noise), then pores, fine lines, wrinkles and folds.
BAND_SIGMAS = (1.0, 2.0, 4.0, 8.0)
# How far the pores' band (1-2 px) may be scaled. Lines and folds (2-8 px) are left as the
# avatar's: they carry likeness (bench/engine.py --quick: scaling them 0.8-1.25x toward the
# template took the portraits within 0.40 of their avatar from 90 % to 86 %).
DETAIL_SIGMAS = BAND_SIGMAS[:2]
GAIN_LIMITS = (0.5, 2.0)
GRAIN_DAMP_LIMIT = 0.5  # a face sharper than the template is softened at most this much
MIN_PIXELS = 400  # fewer skin pixels than this and a robust spread is not worth trusting
GRAIN_SEED = 15  # fixed: the same inputs give the same portrait


def luma(rgb: np.ndarray) -> np.ndarray:
    """Float luminance (Rec. 601), not rounded to 8 bits: rounding alone is grain of 0.3 levels."""
    return rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def bands(gray: np.ndarray, sigmas: Sequence[float] = BAND_SIGMAS) -> list[np.ndarray]:
    """Difference-of-Gaussian bands, finest first: ``gray`` minus its low-pass at sigmas[0],
    then the differences between successive low-passes."""
    lows = [gray] + [cv2.GaussianBlur(gray, (0, 0), s) for s in sigmas]
    return [lows[k] - lows[k + 1] for k in range(len(sigmas))]


def robust_sigma(values: np.ndarray) -> float:
    """Standard deviation from the median absolute deviation: edges and specks do not count."""
    if values.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def band_sigmas(rgb: np.ndarray, mask: np.ndarray, sigmas: Sequence[float] = BAND_SIGMAS) -> np.ndarray:
    """The robust spread of each band of ``rgb``'s luminance where ``mask`` (bool) is set."""
    return np.array([robust_sigma(band[mask]) for band in bands(luma(rgb), sigmas)], np.float32)


def noise_sigma(rgb: np.ndarray, mask: np.ndarray) -> float:
    """Grain: the robust spread of the finest band (high-pass at 1 px) where ``mask`` is set."""
    return float(band_sigmas(rgb, mask, BAND_SIGMAS[:1])[0])


def _grain(shape: tuple[int, int], sigma: float) -> np.ndarray:
    """White noise high-passed like the finest band, then scaled so that band's spread is ``sigma``."""
    noise = np.random.default_rng(GRAIN_SEED).standard_normal(shape, np.float32)
    noise -= cv2.GaussianBlur(noise, (0, 0), BAND_SIGMAS[0])
    return noise * (sigma / max(float(noise.std()), 1e-6))  # Gaussian: the plain spread is the robust one


def match_grain(image: np.ndarray, template: np.ndarray, measured: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``image`` (the fused face over ``template``, uint8 RGB, at the template's own resolution:
    grain is a property of its pixels) with its finest band matched to the template's where
    ``measured`` (bool, the same skin in both) is set, applied by ``alpha``. Eyes and lips too:
    a photo's grain covers them."""
    if np.count_nonzero(measured) < MIN_PIXELS:
        return image
    box = masks.mask_box(measured | (alpha > 1e-3), margin=3)
    crop, weight, inside = image[box], alpha[box], measured[box]
    fine = bands(luma(crop), BAND_SIGMAS[:1])[0]
    have, wanted = robust_sigma(fine[inside]), noise_sigma(template[box], inside)
    if wanted > have:
        # More grain in the template: add it rather than amplify the reference's own finest band,
        # which after warping is mostly interpolation and JPEG noise.
        delta = weight * _grain(fine.shape, float(np.sqrt(wanted**2 - have**2)))
    else:
        delta = weight * (max(wanted / max(have, 1e-6), GRAIN_DAMP_LIMIT) - 1.0) * fine
    out = image.copy()
    out[box] = np.clip(crop.astype(np.float32) + delta[:, :, None] + 0.5, 0, 255).astype(np.uint8)
    return out


def match_detail(
    image: np.ndarray, template: np.ndarray, face_skin: np.ndarray, template_skin: np.ndarray,
    *, add_detail: bool = True,
) -> np.ndarray:
    """``image`` (the fused face over ``template``, uint8 RGB) with its skin's pores (the band
    above grain) scaled toward the template's own skin.

    ``face_skin`` (float 0-1, already inside the blend mask) is where the bands are scaled;
    ``template_skin`` (bool) is where the template's skin is measured, on the same landmarks.
    With ``add_detail`` off (retouched skin) no band is raised.
    """
    measured = face_skin > 0.9
    if np.count_nonzero(measured) < MIN_PIXELS or np.count_nonzero(template_skin) < MIN_PIXELS:
        return image
    box = masks.mask_box(measured | template_skin | (face_skin > 0), margin=int(3 * BAND_SIGMAS[-1]))
    crop, weight = image[box], face_skin[box]
    pores = bands(luma(crop), DETAIL_SIGMAS)[1]
    have = robust_sigma(pores[measured[box]])
    wanted = float(band_sigmas(template[box], template_skin[box], DETAIL_SIGMAS)[1])
    gain = float(np.clip(wanted / max(have, 1e-6), GAIN_LIMITS[0], GAIN_LIMITS[1] if add_detail else 1.0))
    delta = weight * (gain - 1.0) * pores
    out = image.copy()
    out[box] = np.clip(crop.astype(np.float32) + delta[:, :, None] + 0.5, 0, 255).astype(np.uint8)
    return out
