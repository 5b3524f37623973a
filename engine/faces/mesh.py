"""Dense landmarks: MediaPipe's 478-point face mesh run on a crop around one detected face.

Running the mesh per detected face (rather than on the whole image) keeps small faces in large
photos and several faces in one template within the mesh's reach.
"""
from __future__ import annotations

import cv2
import numpy as np

from . import models
from .detect import Detection

MESH_INPUT = 384  # the mesh's own input is 192-256 px; the crop needs some headroom only
CROP_FACTOR = 2.0  # crop side relative to the detection box: the whole head and some margin


def face_landmarks(rgb: np.ndarray, detection: Detection) -> np.ndarray | None:
    """478 x 3 landmarks (x, y, z in pixels of ``rgb``) for the detected face, or None."""
    x0, y0, x1, y1 = detection.box
    side = CROP_FACTOR * max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.05 * (y1 - y0)
    left, top = cx - side / 2, cy - side / 2
    scale = MESH_INPUT / side
    # One affine warp crops, pads (with the border's colours) and resizes in a single pass.
    matrix = np.array([[scale, 0, -left * scale], [0, scale, -top * scale]], dtype=np.float64)
    crop = cv2.warpAffine(
        rgb, matrix, (MESH_INPUT, MESH_INPUT), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    result = models.face_mesh().process(crop)
    if not result.multi_face_landmarks:
        return None
    marks = result.multi_face_landmarks[0].landmark
    points = np.array([(p.x, p.y, p.z) for p in marks], dtype=np.float32) * MESH_INPUT
    points[:, 0] = points[:, 0] / scale + left
    points[:, 1] = points[:, 1] / scale + top
    points[:, 2] = points[:, 2] / scale
    centre = points[:, :2].mean(axis=0)
    # The crop's own detector may have locked onto a neighbour's face: reject a mesh whose
    # centre is outside the detection box.
    if not (x0 <= centre[0] <= x1 and y0 - 0.1 * (y1 - y0) <= centre[1] <= y1 + 0.1 * (y1 - y0)):
        return None
    return points
