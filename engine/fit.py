"""Does a template's face suit the avatar? Apparent age and gender compared, as a heuristic.

No age or gender model ships with the classic backend's packages, so this is measured from what
the mesh and the pixels show, and it is a heuristic, not a classifier:
- apparent age from skin texture: the fine-line energy (a band-pass of the grey face at a fixed
  eye distance) on cheeks and forehead, features left out; wrinkles raise it, youth and
  retouching lower it. Photos differ in sharpness and noise too, so only large ratios count.
- apparent gender from make-up and facial structure: lip colour against the cheeks (lipstick)
  and a narrow jaw against the cheekbones read feminine. Brow height and lip fullness were tried
  and dropped: AI-rendered templates of men scored as feminine on them.
- and from hair length: the share of the strips beside the jaw (mouth to chin, a third of the
  face's width outward) that MediaPipe's selfie segmentation calls person and whose colour is
  not the face's skin: hair falling past the jaw. Long hair on the template and none on the
  avatar (or the reverse) is what a customer sees first.
Measured on the labelled real photos of ../shared/data (5 women, 17 men) and its templates: the
structure and make-up cues overlap between women and men a great deal, so they warn only on large
gaps; hair length separates the templates well (long-haired 0.8-1.0, suits and short cuts under
0.1) but not people (long-haired men score like women), and an avatar from photos that end at
the jaw (the 150 px face chips of ../shared/data) reads as long-haired, since its aligned crops
mirror the photo past its edge. It misses subtler mismatches and warns about some that a
customer would not mind; it is a heuristic, not a classifier.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import masks
from .color import to_lab
from .faces import landmarks as lm
from .idphoto.segment import person_matte

EYE_DISTANCE = 64.0  # px: faces are measured at this eye distance, whatever their photo's size
# Template texture over the avatar's past which the template reads as clearly older.
OLDER_RATIO = 1.9
# Gap in the femininity score (see _femininity; -3 to 3) past which the template reads as the
# other gender.
GENDER_GAP = 3.0
# Gap in hair length (share of the strips beside the jaw that is hair, 0-1) past which the
# template's hair reads as another style than the avatar's (long against short).
HAIR_GAP = 0.6
SKIN_LAB_DISTANCE = 18.0  # CIELAB (largest channel difference) within which a pixel is the face's skin

AGE_WARNING = ("The template's face looks clearly older than the avatar (skin texture heuristic): "
               "its neck and hands may not match the new face.")
GENDER_WARNING = ("The template's face may read as another gender than the avatar (face structure and "
                  "make-up heuristic): hair and clothes may not suit the new face.")
HAIR_WARNING = ("The template's hair is much longer or shorter than the avatar's (hair length heuristic): "
                "the new face may not suit it.")


@dataclass(frozen=True)
class Traits:
    texture: float  # mean fine-line energy on the skin at EYE_DISTANCE, grey levels
    femininity: float  # higher reads more feminine; -3 to 3
    hair: float | None = None  # share of the strips beside the jaw that is hair; None: out of the picture


def face_traits(rgb: np.ndarray, points: np.ndarray) -> Traits:
    """The measures of one face at ``points`` (478 x 3) in ``rgb``."""
    crop, local = _normalised(rgb, points)
    return Traits(texture=_texture(crop, local), femininity=_femininity(crop, local), hair=_hair(rgb, points))


def fit_warnings(template: Traits, avatar: Traits) -> list[str]:
    """Warnings for a template face far from the avatar's traits (see the module's docstring)."""
    warnings = []
    if template.texture > OLDER_RATIO * max(avatar.texture, 0.5):
        warnings.append(AGE_WARNING)
    if abs(template.femininity - avatar.femininity) > GENDER_GAP:
        warnings.append(GENDER_WARNING)
    if template.hair is not None and avatar.hair is not None and abs(template.hair - avatar.hair) > HAIR_GAP:
        warnings.append(HAIR_WARNING)
    return warnings


def avatar_traits(crops: list[tuple[np.ndarray, np.ndarray]]) -> Traits:
    """The median traits of an avatar's faces, given as (crop, points) pairs."""
    measured = [face_traits(crop, points) for crop, points in crops]
    hair = [t.hair for t in measured if t.hair is not None]
    return Traits(texture=float(np.median([t.texture for t in measured])),
                  femininity=float(np.median([t.femininity for t in measured])),
                  hair=float(np.median(hair)) if hair else None)


def _normalised(rgb: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The face's box with a margin, scaled to EYE_DISTANCE between the eyes."""
    rows, cols = masks.points_box(points, rgb.shape, margin=4)
    return _at_eye_distance(rgb, points, (cols.start, rows.start, cols.stop, rows.stop), enlarge=cv2.INTER_CUBIC)


def _at_eye_distance(rgb: np.ndarray, points: np.ndarray, box: tuple[int, int, int, int],
                     *, enlarge: int) -> tuple[np.ndarray, np.ndarray]:
    """``box`` of ``rgb`` scaled to EYE_DISTANCE between the eyes, and ``points`` in its pixels."""
    x0, y0, x1, y1 = box
    scale = EYE_DISTANCE / max(masks.eye_distance(points), 1.0)
    crop = cv2.resize(rgb[y0:y1, x0:x1], None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_AREA if scale < 1 else enlarge)
    local = points.astype(np.float64).copy()
    local[:, 0] = (local[:, 0] - x0) * scale
    local[:, 1] = (local[:, 1] - y0) * scale
    return crop, local


def _hair(rgb: np.ndarray, points: np.ndarray) -> float | None:
    """Hair past the jaw: see the module's docstring. Measured at EYE_DISTANCE."""
    # Only the head and shoulders are segmented: a crop of the face's box grown 0.6 of its width
    # each side (the strips reach a third) costs a fraction of the whole picture.
    height, width = rgb.shape[:2]
    (fx0, fy0), (fx1, fy1) = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    grow_x, grow_y = 0.6 * (fx1 - fx0), 0.4 * (fy1 - fy0)
    x0, y0 = int(max(fx0 - grow_x, 0)), int(max(fy0 - grow_y, 0))
    x1, y1 = int(min(fx1 + grow_x, width)), int(min(fy1 + grow_y, height))
    small, local = _at_eye_distance(rgb, points, (x0, y0, x1, y1), enlarge=cv2.INTER_LINEAR)
    lab = to_lab(small)
    skin = masks.skin_mask(local, small.shape) > 0
    if not skin.any():
        return None
    not_skin = np.abs(lab - np.median(lab[skin], axis=0)).max(axis=2) >= SKIN_LAB_DISTANCE
    person = person_matte(small) > 0.5
    outside = masks.face_mask(local, small.shape) == 0
    height, width = small.shape[:2]
    top, bottom = int(local[lm.MOUTH_RIGHT, 1]), int(local[lm.CHIN, 1])
    left, right = local[lm.FACE_OVAL, 0].min(), local[lm.FACE_OVAL, 0].max()
    reach = (right - left) / 3
    shares = []
    for x0, x1 in ((left - reach, left), (right, right + reach)):
        x0, x1 = int(max(x0, 0)), int(min(x1, width))
        y0, y1 = max(top, 0), min(bottom, height)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue  # the strip is out of the picture (a tight crop)
        strip = (slice(y0, y1), slice(x0, x1))
        shares.append(float((person[strip] & not_skin[strip] & outside[strip]).mean()))
    return float(np.mean(shares)) if shares else None


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
