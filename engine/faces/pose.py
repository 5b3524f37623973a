"""Head pose (yaw, pitch, roll in degrees) read off the face mesh's own 3D landmarks.

The mesh predicts depth for every landmark, so a segment across the face (eye corner to eye
corner, cheek edge to cheek edge) turns in depth exactly as the head turns. This was chosen over
a perspective-n-point fit to a generic head, which read 1.5-2x the turn a person sees on the
photos of ../shared/data (a generic head's depth is wrong for most faces).

Signs: yaw > 0 when the nose points to the image's right, pitch > 0 when the person looks down,
roll > 0 when the eye line rises to the image's right.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import landmarks as lm


@dataclass(frozen=True)
class Pose:
    yaw: float
    pitch: float
    roll: float

    def is_frontal(self, *, max_angle: float = 15.0) -> bool:
        """Within ``max_angle`` of facing the camera (pitch and roll get more slack)."""
        return abs(self.yaw) <= max_angle and abs(self.pitch) <= 1.5 * max_angle and abs(self.roll) <= 2 * max_angle

    def frontal_score(self) -> float:
        """1.0 facing the camera, falling to 0 at 45 degrees of turn (yaw counts most)."""
        turn = np.hypot(self.yaw, 0.5 * self.pitch)
        return float(np.clip(1.0 - turn / 45.0, 0.0, 1.0))


def _angle(points: np.ndarray, a: int, b: int, num: int, den: int) -> float:
    delta = points[b] - points[a]
    return float(np.degrees(np.arctan2(delta[num], delta[den])))


def estimate_pose(points: np.ndarray) -> Pose:
    """Pose from 478 x 3 landmarks (x, y, z in pixels)."""
    x, y, z = 0, 1, 2
    yaw = 0.5 * (
        _angle(points, lm.RIGHT_EYE_OUTER, lm.LEFT_EYE_OUTER, z, x) + _angle(points, 234, 454, z, x)
    )
    # Forehead-to-chin leans back and bridge-to-nostrils leans forward on a level face by about
    # the same angle: their mean reads about zero for a face looking into the camera.
    pitch = 0.5 * (_angle(points, lm.FOREHEAD, lm.CHIN, z, y) + _angle(points, 168, 2, z, y))
    roll = -_angle(points, lm.RIGHT_EYE_OUTER, lm.LEFT_EYE_OUTER, y, x)
    return Pose(yaw=round(yaw, 2), pitch=round(pitch, 2), roll=round(roll, 2))
