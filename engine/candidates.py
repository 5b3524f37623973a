"""When are two portraits of one create "the same picture"? SSIM of their face regions.

A customer asking for n portraits pays for n different pictures: a different reference photo
(expression, light, turn) shows in the face, where a different shading setting barely does. The
measure is the structural similarity (SSIM, scikit-image's defaults) of the grey face regions at
a fixed size; two candidates at or above DISTINCT_SSIM are one picture.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage.metrics import structural_similarity

from . import masks
from .faces import landmarks as lm

DISTINCT_SSIM = 0.95  # the issue's measure: any two candidates' face regions must stay below it
REGION_SIDE = 128  # px: face regions are compared at this size, whatever the portrait's


def face_region(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The grey face (the mesh outline's box) of ``image`` at REGION_SIDE x REGION_SIDE."""
    box = masks.points_box(points[lm.FACE_OVAL], image.shape, margin=0)
    grey = cv2.cvtColor(np.ascontiguousarray(image[box]), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (REGION_SIDE, REGION_SIDE), interpolation=cv2.INTER_AREA)


def region_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two face regions (from ``face_region``)."""
    return float(structural_similarity(a, b, data_range=255))


def faces_ssim(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Of two portraits' face regions (one per template face): the least similar face decides,
    since a multi-person portrait with one face changed is a different picture."""
    return min(region_ssim(x, y) for x, y in zip(a, b))
