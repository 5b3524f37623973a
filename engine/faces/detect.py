"""Face detection: MediaPipe's full-range and short-range detectors, merged, plus tiles for small faces.

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
# The full-range model squeezes the whole picture into 192 px, where a face 1/8 of the picture
# is 24 px. In group photos it then misses faces as large as the ones it finds (in
# ../shared/data/multi_face 61 of 76, bald_guys.jpg 12 of 24; the faces it missed are 1/20 to
# 1/7 of the long side). A second pass on overlapping tiles sees them 1.75x larger and finds all
# 76. It runs only when the first pass found no face or a small one: a selfie never pays for it,
# and tiles of a close-up would see faces in its parts (a necklace in
# templates/facechain_styles/Hong_Kong_night_style.jpg, score 0.63).
MODEL_INPUT = 192
SMALL_FACE = 1 / 8  # of the long side; portraits in ../shared/data/faces: 0.11 to 0.99
TILES = 2  # per side; 3 x 3 found no more faces, but a dog's and a second one in messi5.jpg
TILE_OVERLAP = 0.25  # of a tile's side: a face smaller than this is whole in some tile
CONTAINED = 0.6  # share of a box inside another that makes it the same face


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
    small = resize_to_side(rgb, max_side=DETECT_SIDE)
    to_image = rgb.shape[1] / small.shape[1], rgb.shape[0] / small.shape[0]
    candidates = _run(models.detector_full_range(), small, FULL_RANGE_MIN_SCORE)
    candidates += _run(models.detector_short_range(), small, SHORT_RANGE_MIN_SCORE)
    kept = _suppress(candidates, [])
    if _worth_tiling(kept, small.shape):
        # Tiles only add faces the whole-picture pass missed; its own boxes stay as they were.
        kept += _suppress(_run_tiles(small), kept)
    found = [Detection(box=_scaled(d.box, to_image), score=d.score) for d in kept]
    return sorted(found, key=lambda d: (d.box[0] + d.box[2]) / 2)


def _worth_tiling(found: list[Detection], shape: tuple[int, ...]) -> bool:
    long_side = max(shape[:2])
    if _tile_side(long_side) < MODEL_INPUT:
        return False  # the tiles would be upscaled: no detail the whole picture lacks
    return not found or min(max(d.width, d.height) for d in found) < SMALL_FACE * long_side


def _tile_side(length: int) -> float:
    return length / (TILES - (TILES - 1) * TILE_OVERLAP)


def _run_tiles(small: np.ndarray) -> list[Detection]:
    height, width = small.shape[:2]
    tile_w, tile_h = _tile_side(width), _tile_side(height)
    found = []
    for row in range(TILES):
        for column in range(TILES):
            x0 = round(column * tile_w * (1 - TILE_OVERLAP))
            y0 = round(row * tile_h * (1 - TILE_OVERLAP))
            x1, y1 = min(width, round(x0 + tile_w)), min(height, round(y0 + tile_h))
            tile = np.ascontiguousarray(small[y0:y1, x0:x1])
            for detection in _run(models.detector_full_range(), tile, FULL_RANGE_MIN_SCORE):
                if _cut_by_tile(detection.box, (x0, y0, x1, y1), width, height):
                    continue
                bx0, by0, bx1, by1 = detection.box
                found.append(Detection(box=(bx0 + x0, by0 + y0, bx1 + x0, by1 + y0), score=detection.score))
    return found


def _cut_by_tile(box: tuple[float, ...], tile: tuple[int, int, int, int], width: int, height: int) -> bool:
    # A face cut by a tile's inner edge is whole in the neighbouring tile (or, if larger than the
    # overlap, in the whole-picture pass); its half is where tiles see faces that are not there.
    x0, y0, x1, y1 = tile
    margin = 0.01 * max(x1 - x0, y1 - y0)
    return (
        (x0 > 0 and box[0] <= margin)
        or (y0 > 0 and box[1] <= margin)
        or (x1 < width and box[2] >= x1 - x0 - margin)
        or (y1 < height and box[3] >= y1 - y0 - margin)
    )


def _suppress(candidates: list[Detection], kept: list[Detection]) -> list[Detection]:
    """The strongest of ``candidates`` that overlap neither each other nor ``kept``."""
    new: list[Detection] = []
    for candidate in sorted(candidates, key=lambda d: -d.score):
        if not any(_same_face(candidate.box, other.box) for other in [*kept, *new]):
            new.append(candidate)
    return new


def _run(detector, image: np.ndarray, min_score: float) -> list[Detection]:
    height, width = image.shape[:2]
    result = detector.process(image)
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


def _scaled(box: tuple[float, ...], factors: tuple[float, float]) -> tuple[float, float, float, float]:
    return box[0] * factors[0], box[1] * factors[1], box[2] * factors[0], box[3] * factors[1]


def _same_face(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
    union = area_a + area_b - inter
    if union <= 0:
        return False
    return inter / union >= OVERLAP_IOU or inter / min(area_a, area_b) >= CONTAINED
