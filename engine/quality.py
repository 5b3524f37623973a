"""Photo quality measures of one face: sharpness, exposure, eye opening.

Each measure is taken on the face alone, resampled to a fixed size, so a sharp face in a soft
background (portrait mode) counts as sharp and a small face is judged at its own scale.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.measure import blur_effect

from .errors import EngineError, ErrorCode
from .faces import Face
from .faces import landmarks as lm

FACE_SAMPLE = 160  # px: faces are compared at this width (smaller faces are not upscaled)


@dataclass(frozen=True)
class FaceQuality:
    sharpness: float  # variance of the Laplacian of the face at FACE_SAMPLE px
    blur: float  # Crete-Roffet blur effect of the face, 0 sharp to 1 blurred (contrast-free)
    brightness: float  # mean luma (0-255) of the skin inside the face outline
    clipped: float  # share of face pixels at or above 250 (blown out)
    eye_opening: float  # eye aspect ratio; about 0.25-0.35 open, under 0.12 shut

    def score(self) -> float:
        """0-1: how good this face is to learn from (sharp, well exposed, eyes open)."""
        sharp = float(np.clip(self.sharpness / SHARP_GOOD, 0.0, 1.0)) * (0.4 if self.is_blurred else 1.0)
        exposure = float(np.clip(1.0 - abs(self.brightness - 140.0) / 110.0, 0.0, 1.0))
        eyes = 1.0 if self.eye_opening >= EYES_CLOSED else 0.5
        return 0.5 * sharp + 0.3 * exposure * (1.0 - self.clipped) + 0.2 * eyes


    @property
    def is_blurred(self) -> bool:
        return self.blur > BLUR_MAX or self.sharpness < SHARP_MIN


# Thresholds, with where they come from (faces resampled to FACE_SAMPLE px wide), measured on the
# 95 single-face photos of ../shared/data (faces/, edge_cases/) and on the same photos blurred
# with a Gaussian of sigma 1.5-2 px at that width: the blur effect of the originals reaches
# 0.595 at most (median 0.465), of the sigma-2 copies 0.65 in the median; Laplacian variance
# of the originals is 27 at least, of the sigma-2 copies mostly under 20.
BLUR_MAX = 0.60
SHARP_MIN = 20.0
SHARP_GOOD = 120.0
DARK_MAX = 55.0  # mean face luma below this is too dark to see the skin
BRIGHT_MIN = 225.0  # mean face luma above this is washed out
CLIPPED_MAX = 0.12  # more than this share of blown-out face pixels loses the skin detail
EYES_CLOSED = 0.13


def face_quality(rgb: np.ndarray, face: Face) -> FaceQuality:
    points = face.points
    if points is None:
        # A caller's mistake, not the photo's: the check only measures faces whose mesh fitted.
        raise EngineError(ErrorCode.INTERNAL, "Face quality needs the face's landmarks; this face has none.")
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    x0, y0, x1, y1 = (int(round(v)) for v in face.box)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, gray.shape[1]), min(y1, gray.shape[0])
    crop = gray[y0:y1, x0:x1]
    scale = min(1.0, FACE_SAMPLE / max(crop.shape[1], 1))
    if scale < 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(crop, cv2.CV_64F).var()) if crop.size else 0.0
    blur = float(blur_effect(crop, h_size=11)) if min(crop.shape[:2], default=0) > 11 else 1.0

    mask = np.zeros(gray.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points[lm.FACE_OVAL, :2]).astype(np.int32)], 255)
    for region in (lm.RIGHT_EYE, lm.LEFT_EYE, lm.LIPS_OUTER):
        cv2.fillPoly(mask, [np.round(points[region, :2]).astype(np.int32)], 0)
    values = gray[mask > 0]
    brightness = float(values.mean()) if values.size else 0.0
    clipped = float((values >= 250).mean()) if values.size else 0.0
    return FaceQuality(
        sharpness=round(sharpness, 2),
        blur=round(blur, 3),
        brightness=round(brightness, 2),
        clipped=round(clipped, 4),
        eye_opening=round(lm.eye_aspect_ratio(points), 3),
    )
