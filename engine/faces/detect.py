"""Face detection: MediaPipe's full-range and short-range detectors, merged.

The full-range model finds small and distant faces without false alarms on animals; the
short-range model is surer of close-up selfies. Its weak detections are dropped because it
fires on dog faces (measured on ../shared/data/no_face/dogs.jpg: 0.51).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..imaging import resize_to_side
from . import models

DETECT_SIDE = 1024  # the detectors' inputs are 128-192 px: more resolution only costs time
FULL_RANGE_MIN_SCORE = 0.5
SHORT_RANGE_MIN_SCORE = 0.75
OVERLAP_IOU = 0.3


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the analysed image
    score: float

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def detect_faces(rgb: np.ndarray) -> list[Detection]:
    """All faces in the image, ordered left to right."""
    height, width = rgb.shape[:2]
    small = resize_to_side(rgb, max_side=DETECT_SIDE)
    candidates = _run(models.detector_full_range(), small, FULL_RANGE_MIN_SCORE, width, height)
    candidates += _run(models.detector_short_range(), small, SHORT_RANGE_MIN_SCORE, width, height)
    kept: list[Detection] = []
    for candidate in sorted(candidates, key=lambda d: -d.score):
        if all(_iou(candidate.box, other.box) < OVERLAP_IOU for other in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda d: (d.box[0] + d.box[2]) / 2)


def _run(detector, small: np.ndarray, min_score: float, width: int, height: int) -> list[Detection]:
    result = detector.process(small)
    found = []
    for detection in result.detections or []:
        score = float(detection.score[0])
        if score < min_score:
            continue
        rel = detection.location_data.relative_bounding_box
        x0 = max(0.0, rel.xmin * width)
        y0 = max(0.0, rel.ymin * height)
        x1 = min(float(width), (rel.xmin + rel.width) * width)
        y1 = min(float(height), (rel.ymin + rel.height) * height)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        found.append(Detection(box=(x0, y0, x1, y1), score=score))
    return found


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
