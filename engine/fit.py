"""Does a template's face suit the avatar? Apparent age and gender compared, as a heuristic.

No age or gender model ships with the classic backend's packages, so this is measured from what
the mesh and the pixels show, and it is a heuristic, not a classifier:
- apparent age from skin texture: the fine-line energy (a band-pass of the grey face at a fixed
  eye distance) on cheeks and forehead, features left out; wrinkles raise it, youth and
  retouching lower it. Photos differ in sharpness and noise too, so only large ratios count.
- apparent gender from make-up and facial structure: lip colour against the cheeks (lipstick)
  and a narrow jaw against the cheekbones read feminine. Brow height and lip fullness were tried
  and dropped: AI-rendered templates of men scored as feminine on them. Hair length is not
  measured (the avatar's aligned crops end at the jaw).
Measured on the labelled real photos of ../shared/data (5 women, 17 men) and its templates: the
cues overlap between women and men a great deal, so the thresholds warn only on large gaps (a
bare-faced man on a template with lipstick and a slim jaw, or the reverse) and miss subtler ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import masks
from .color import to_lab

EYE_DISTANCE = 64.0  # px: faces are measured at this eye distance, whatever their photo's size
# Template texture over the avatar's past which the template reads as clearly older.
OLDER_RATIO = 1.9
# Gap in the femininity score (see _femininity; -3 to 3) past which the template reads as the
# other gender.
GENDER_GAP = 3.0

AGE_WARNING = ("The template's face looks clearly older than the avatar (skin texture heuristic): "
               "its neck and hands may not match the new face.")
GENDER_WARNING = ("The template's face may read as another gender than the avatar (face structure and "
                  "make-up heuristic): hair and clothes may not suit the new face.")


@dataclass(frozen=True)
class Traits:
    texture: float  # mean fine-line energy on the skin at EYE_DISTANCE, grey levels
    femininity: float  # higher reads more feminine; -3 to 3


def face_traits(rgb: np.ndarray, points: np.ndarray) -> Traits:
    """The measures of one face at ``points`` (478 x 3) in ``rgb``."""
    crop, local = _normalised(rgb, points)
    return Traits(texture=_texture(crop, local), femininity=_femininity(crop, local))


def fit_warnings(template: Traits, avatar: Traits) -> list[str]:
    """Warnings for a template face far from the avatar's traits (see the module's docstring)."""
    warnings = []
    if template.texture > OLDER_RATIO * max(avatar.texture, 0.5):
        warnings.append(AGE_WARNING)
    if abs(template.femininity - avatar.femininity) > GENDER_GAP:
        warnings.append(GENDER_WARNING)
    return warnings


def avatar_traits(crops: list[tuple[np.ndarray, np.ndarray]]) -> Traits:
    """The median traits of an avatar's faces, given as (crop, points) pairs."""
    measured = [face_traits(crop, points) for crop, points in crops]
    return Traits(texture=float(np.median([t.texture for t in measured])),
                  femininity=float(np.median([t.femininity for t in measured])))


def _normalised(rgb: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The face's box with a margin, scaled to EYE_DISTANCE between the eyes."""
    height, width = rgb.shape[:2]
    x0, y0 = np.maximum(np.floor(points[:, :2].min(axis=0)).astype(int) - 4, 0)
    x1, y1 = np.minimum(np.ceil(points[:, :2].max(axis=0)).astype(int) + 5, (width, height))
    scale = EYE_DISTANCE / max(masks.eye_distance(points), 1.0)
    crop = cv2.resize(rgb[y0:y1, x0:x1], None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    local = points.astype(np.float64).copy()
    local[:, 0] = (local[:, 0] - x0) * scale
    local[:, 1] = (local[:, 1] - y0) * scale
    return crop, local


def _texture(crop: np.ndarray, points: np.ndarray) -> float:
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    band = np.abs(cv2.GaussianBlur(grey, (0, 0), 0.8) - cv2.GaussianBlur(grey, (0, 0), 2.5))
    skin = masks.face_mask(points, crop.shape, region="face")
    skin[masks.features_mask(points, crop.shape, grow=0.2) > 0] = 0
    values = band[skin > 0]
    return float(values.mean()) if values.size else 0.0


def _femininity(crop: np.ndarray, points: np.ndarray) -> float:
    """Lip colour against the cheeks (lipstick) and a narrow jaw against the cheekbones, each in
    units of its spread over the labelled faces, clipped: past that a face reads clearly one way
    and more of the cue says nothing more (AI-rendered templates push both far)."""
    jaw = np.linalg.norm(points[172, :2] - points[397, :2]) / max(np.linalg.norm(points[234, :2] - points[454, :2]), 1e-6)
    lab = to_lab(crop)
    lips = masks.lips_mask(points, crop.shape) > 0
    skin = masks.skin_mask(points, crop.shape) > 0
    redness = float(lab[lips, 1].mean() - lab[skin, 1].mean()) if lips.any() and skin.any() else REDNESS_CENTRE
    score = (redness - REDNESS_CENTRE) / REDNESS_SPREAD - (jaw - JAW_CENTRE) / JAW_SPREAD
    return float(np.clip(score, -FEMININITY_CLIP, FEMININITY_CLIP))


# Centres and spreads of the cues over the labelled real photos of ../shared/data (CIELAB a* of
# the lips minus the cheeks; jaw width at the mouth's corners over the width at the cheekbones).
REDNESS_CENTRE, REDNESS_SPREAD = 8.0, 5.0
JAW_CENTRE, JAW_SPREAD = 0.80, 0.03
FEMININITY_CLIP = 3.0
