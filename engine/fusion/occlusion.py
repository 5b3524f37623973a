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
    lab = to_lab(template)
    core = masks.face_mask(points, template.shape, region="face")
    features = masks.features_mask(points, template.shape, grow=0.15)
    core[features > 0] = 0
    samples = lab[core > 0]
    if len(samples) < 100:
        return np.zeros(template.shape[:2], np.float32)
    median = np.median(samples, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(samples - median), axis=0), SPREAD_FLOOR)
    z = np.abs(lab - median) / spread
    hidden = (z.max(axis=2) > Z_OCCLUDED).astype(np.uint8) * 255
    skin = masks.face_mask(points, template.shape)
    skin[features > 0] = 0
    hidden = cv2.bitwise_and(hidden, skin)
    # Specks are texture, not occluders: keep only solid areas.
    size = max(3, int(face_width * 0.03)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    hidden = cv2.morphologyEx(hidden, cv2.MORPH_OPEN, kernel)
    hidden = cv2.morphologyEx(hidden, cv2.MORPH_CLOSE, kernel)
    return masks.blur_wide(hidden.astype(np.float32) / 255.0, face_width * 0.015)
