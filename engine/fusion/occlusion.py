"""What covers the template's face (fringes, veils, hands, hats): kept in front of the new face.

The template's skin colour is learnt from its cheeks and nose; skin-area pixels far from it in
CIELAB (robust z-score) are taken as something in front of the face. Eyes, brows and lips are
never tested: they differ from skin by nature.
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import masks
from ..color import to_lab

# Robust z-score past which a pixel is not skin, and floors for the spread so that a very even
# (AI-rendered) skin does not make every shadow an occluder.
Z_OCCLUDED = 4.5
SPREAD_FLOOR = np.array([6.0, 3.0, 3.0], np.float32)  # L, a, b


def occlusion_mask(template: np.ndarray, points: np.ndarray, face_width: float) -> np.ndarray:
    """Float mask (0-1) of what hides the template's skin at ``points``."""
    height, width = template.shape[:2]
    x0, y0 = np.maximum(np.floor(points[:, :2].min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(points[:, :2].max(axis=0)).astype(int) + 3, (width, height))
    result = np.zeros((height, width), np.float32)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return result
    crop = template[y0:y1, x0:x1]
    local = points.copy()
    local[:, 0] -= x0
    local[:, 1] -= y0
    lab = to_lab(crop)
    core = masks.face_mask(local, crop.shape, region="face")
    features = masks.features_mask(local, crop.shape, grow=0.15)
    core[features > 0] = 0
    samples = lab[core > 0]
    if len(samples) < 100:
        return result
    median = np.median(samples, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(samples - median), axis=0), SPREAD_FLOOR)
    z = np.abs(lab - median) / spread
    hidden = (z.max(axis=2) > Z_OCCLUDED).astype(np.uint8) * 255
    skin = masks.face_mask(local, crop.shape)
    skin[features > 0] = 0
    hidden = cv2.bitwise_and(hidden, skin)
    # Specks are texture, not occluders: keep only solid areas.
    size = max(3, int(face_width * 0.03)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    hidden = cv2.morphologyEx(hidden, cv2.MORPH_OPEN, kernel)
    hidden = cv2.morphologyEx(hidden, cv2.MORPH_CLOSE, kernel)
    result[y0:y1, x0:x1] = hidden.astype(np.float32) / 255.0
    return masks.blur_wide(result, face_width * 0.015)
