"""The diffusion passes' inputs drawn from the classic engine's results: ControlNet images (canny
edges, a face-landmark map from the 478-point mesh) and the inpainting masks of the two passes.

Pure numpy and OpenCV: no torch, so these are tested and reused without the GPU extra.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..faces import landmarks as lm
from ..masks import eye_distance, face_mask, grow_mask

# EasyPhoto's canny thresholds (the webui ControlNet preprocessor's defaults).
CANNY_LOW, CANNY_HIGH = 100, 200
# The landmark map's parts and colours, in the manner of the MediaPipe-face ControlNet's annotator
# (each part its own colour, lines on black): closed contours first, the irises as dots.
_PARTS: tuple[tuple[list[int], tuple[int, int, int]], ...] = (
    (lm.FACE_OVAL, (255, 255, 255)),
    (lm.RIGHT_BROW, (255, 48, 48)),
    (lm.LEFT_BROW, (48, 255, 48)),
    (lm.RIGHT_EYE, (255, 48, 255)),
    (lm.LEFT_EYE, (48, 255, 255)),
    (lm.LIPS_OUTER, (255, 255, 48)),
    (lm.LIPS_INNER, (255, 160, 48)),
)
# The first pass redraws the face and a margin around it (hairline, jaw, ears): EasyPhoto widens
# the face box by 10 % a side; the mesh outline is grown by this share of the eye distance.
FIRST_MASK_GROW = 0.35
# The second pass, "edge": a ring around the outline (outside 0.5, inside 0.25 eye distances)
# where the pasted face meets the template, as EasyPhoto's dilate(64) - erode(32) at 512 px.
EDGE_OUT, EDGE_IN = 0.5, 0.25


def canny(rgb: np.ndarray, *, low: int = CANNY_LOW, high: int = CANNY_HIGH) -> np.ndarray:
    """Canny edges of ``rgb`` as a 3-channel uint8 image (white edges on black)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, low, high)
    return np.repeat(edges[:, :, None], 3, axis=2)


def landmark_map(shape: tuple[int, ...], faces_points: list[np.ndarray]) -> np.ndarray:
    """Each face's mesh drawn as coloured contours on black, ``shape``'s height and width."""
    canvas = np.zeros((shape[0], shape[1], 3), np.uint8)
    for points in faces_points:
        thickness = max(1, round(eye_distance(points) / 40))
        for indices, colour in _PARTS:
            contour = np.round(points[indices, :2]).astype(np.int32)
            cv2.polylines(canvas, [contour], True, colour, thickness, lineType=cv2.LINE_AA)
        for iris in (lm.RIGHT_IRIS, lm.LEFT_IRIS):
            centre = tuple(int(v) for v in np.round(points[iris[0], :2]))
            cv2.circle(canvas, centre, thickness + 1, (255, 255, 255), -1, lineType=cv2.LINE_AA)
    return canvas


def first_pass_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The first pass's inpainting mask (uint8 0/255): the whole face outline, grown."""
    return grow_mask(face_mask(points, shape), FIRST_MASK_GROW * eye_distance(points))


def second_pass_mask(points: np.ndarray, shape: tuple[int, ...], region: str) -> np.ndarray:
    """The second pass's mask: ``"edge"`` a ring where the face meets the template (seams,
    hairline, jaw), ``"face"`` the whole face as in the first pass."""
    if region == "face":
        return first_pass_mask(points, shape)
    outline = face_mask(points, shape)
    distance = eye_distance(points)
    inner = cv2.distanceTransform((outline > 127).astype(np.uint8), cv2.DIST_L2, 3)
    ring = grow_mask(outline, EDGE_OUT * distance)
    ring[inner > EDGE_IN * distance] = 0
    return ring
