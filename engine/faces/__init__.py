"""Face analysis: detection, 478-point landmarks, 5 keypoints, head pose and identity embedding."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import landmarks
from .detect import Detection, detect_faces
from .embed import distance, face_embedding
from .mesh import face_landmarks
from .pose import Pose, estimate_pose

__all__ = ["Face", "Pose", "analyze_faces", "distance", "kept_distance", "landmarks"]


@dataclass
class Face:
    """One face found in an image; coordinates are pixels of the analysed image."""

    box: tuple[float, float, float, float]
    score: float
    points: np.ndarray | None  # 478 x 3 mesh landmarks, None where the mesh could not fit
    pose: Pose | None
    embedding: np.ndarray | None = None

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def size(self) -> float:
        """The face's size in pixels: the larger side of its box."""
        return max(self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def keypoints(self) -> np.ndarray | None:
        return None if self.points is None else landmarks.keypoints5(self.points)

    @property
    def eye_distance(self) -> float:
        if self.points is None:
            return 0.0
        return float(np.linalg.norm(self.points[468, :2] - self.points[473, :2]))


def analyze_faces(rgb: np.ndarray, *, embed: bool = True, limit: int | None = None) -> list[Face]:
    """Find every face, left to right, with landmarks, pose and (optionally) its embedding.

    ``limit`` caps how many faces get the costly mesh and embedding (the count stays exact).
    """
    faces = []
    for index, detection in enumerate(detect_faces(rgb)):
        if limit is not None and index >= limit:
            faces.append(Face(box=detection.box, score=detection.score, points=None, pose=None))
            continue
        points = face_landmarks(rgb, detection)
        pose = estimate_pose(points) if points is not None else None
        face = Face(box=_box_of(points, detection), score=detection.score, points=points, pose=pose)
        if embed and points is not None:
            face.embedding = face_embedding(rgb, points)
        faces.append(face)
    # The mesh outline box can shift a face's centre past a neighbour's (a turned head), so the
    # order is taken from the final boxes, not the detector's.
    return sorted(faces, key=lambda face: (face.box[0] + face.box[2]) / 2)


def _box_of(points: np.ndarray | None, detection: Detection) -> tuple[float, float, float, float]:
    if points is None:
        return detection.box
    xs, ys = points[:, 0], points[:, 1]
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def kept_distance(before: np.ndarray, after: np.ndarray) -> float | None:
    """How much of the largest face in ``before`` is still itself in ``after`` (an image made from
    it: a stylization, an ID photo): the embedding distance to the face in ``after`` nearest where it
    was (after scaling), or None where either image shows no face the embedding can read."""
    faces = [face for face in analyze_faces(before, embed=True, limit=1) if face.embedding is not None]
    if not faces:
        return None
    largest = max(faces, key=lambda face: face.size)
    made = [face for face in analyze_faces(after, embed=True, limit=1) if face.embedding is not None]
    if not made:
        return None  # the change hid the face from the detector: reported as unmeasured
    nearest = min(made, key=lambda face: np.hypot(face.box[0] - largest.box[0], face.box[1] - largest.box[1]))
    return distance(largest.embedding, nearest.embedding)
