"""Named regions of MediaPipe's 478-point face mesh, as ordered outlines.

"Right" and "left" are the person's own (the person's right eye is on the image's left in an
unmirrored photo).
"""
from __future__ import annotations

import numpy as np

FACE_OVAL = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
]
LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
LIPS_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191]
RIGHT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
LEFT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
RIGHT_BROW = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46]
LEFT_BROW = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276]
RIGHT_IRIS = [468, 469, 470, 471, 472]  # 468 is the centre
LEFT_IRIS = [473, 474, 475, 476, 477]  # 473 is the centre
NOSE_TIP = 1
CHIN = 152
FOREHEAD = 10
MOUTH_RIGHT = 61
MOUTH_LEFT = 291
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_OUTER, LEFT_EYE_INNER = 263, 362
# The nose from bridge to nostrils, for masks that must keep the nose's shading.
NOSE = [168, 193, 245, 188, 174, 217, 126, 142, 129, 98, 97, 2, 326, 327, 358, 371, 355, 437, 399, 412, 465, 417]

# Eyelid pairs (upper, lower) and the corners, for the eye aspect ratio.
RIGHT_EYE_LIDS = [(160, 144), (159, 145), (158, 153)]
LEFT_EYE_LIDS = [(387, 373), (386, 374), (385, 380)]


def keypoints5(points: np.ndarray) -> np.ndarray:
    """The 5 keypoints in the usual order: eyes (image-left first), nose tip, mouth corners."""
    return np.stack(
        [
            points[468, :2],
            points[473, :2],
            points[NOSE_TIP, :2],
            points[MOUTH_RIGHT, :2],
            points[MOUTH_LEFT, :2],
        ]
    ).astype(np.float32)


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Mean opening of both eyes relative to their width; about 0.25-0.35 open, under 0.12 shut."""
    ratios = []
    for lids, (outer, inner) in (
        (RIGHT_EYE_LIDS, (RIGHT_EYE_OUTER, RIGHT_EYE_INNER)),
        (LEFT_EYE_LIDS, (LEFT_EYE_OUTER, LEFT_EYE_INNER)),
    ):
        width = np.linalg.norm(points[outer, :2] - points[inner, :2])
        heights = [np.linalg.norm(points[a, :2] - points[b, :2]) for a, b in lids]
        ratios.append(float(np.mean(heights) / max(width, 1e-6)))
    return float(np.mean(ratios))


def mouth_width(points: np.ndarray) -> float:
    """Corner to corner, in the points' pixels."""
    return float(np.linalg.norm(points[MOUTH_RIGHT, :2] - points[MOUTH_LEFT, :2]))


def mouth_opening(points: np.ndarray) -> float:
    """Lip gap relative to mouth width: about 0 closed, 0.3 and more for an open smile or speech."""
    return float(np.linalg.norm(points[13, :2] - points[14, :2]) / max(mouth_width(points), 1e-6))


def smile(points: np.ndarray) -> float:
    """How much the mouth smiles: the corners' lift above the lips' centre, in mouth widths, along
    the face's own vertical (the eye line sets the roll). About 0 composed, 0.1 and more for a
    smile; a frown is negative. An open mouth does not count: ``mouth_opening`` measures that."""
    eye_line = points[LEFT_EYE_OUTER, :2] - points[RIGHT_EYE_OUTER, :2]
    across = eye_line / max(float(np.linalg.norm(eye_line)), 1e-6)
    down = np.array([-across[1], across[0]])  # image y grows downward
    corners = (points[MOUTH_RIGHT, :2] + points[MOUTH_LEFT, :2]) / 2
    centre = (points[13, :2] + points[14, :2]) / 2
    return float(np.dot(centre - corners, down) / max(mouth_width(points), 1e-6))
