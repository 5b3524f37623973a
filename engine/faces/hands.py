"""Hands near a face (MediaPipe's hand landmarks) and the area they cover, drawn from their
21 points: the palm filled, each finger a thick stroke along its bones."""
from __future__ import annotations

import cv2
import numpy as np

from . import models

PALM = [0, 1, 5, 9, 13, 17]
FINGERS = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18, 19, 20], [0, 17], [0, 5]]
FINGER_WIDTH = 0.28  # of the palm's length (wrist to middle knuckle)


def find_hands(rgb: np.ndarray) -> list[np.ndarray]:
    """Each hand seen in ``rgb`` as 21 x 2 points in its pixels."""
    result = models.hand_landmarks().process(np.ascontiguousarray(rgb))
    height, width = rgb.shape[:2]
    return [
        np.array([(p.x * width, p.y * height) for p in hand.landmark], np.float32)
        for hand in (result.multi_hand_landmarks or [])
    ]


def hands_mask(hands: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """uint8 mask (0 or 255) of what ``hands`` cover in an image of ``shape``."""
    mask = np.zeros(shape[:2], np.uint8)
    for points in hands:
        points = np.asarray(points, np.float32)
        palm = float(np.linalg.norm(points[9] - points[0]))
        width = max(round(FINGER_WIDTH * palm), 2)
        cv2.fillPoly(mask, [np.round(points[PALM]).astype(np.int32)], 255)
        for finger in FINGERS:
            cv2.polylines(mask, [np.round(points[finger]).astype(np.int32)], False, 255, width)
            # A fingertip ends in a round pad past its last point.
            tip = points[finger[-1]]
            cv2.circle(mask, (round(float(tip[0])), round(float(tip[1]))), width // 2, 255, -1)
    return mask
