"""Which of an avatar's faces a portrait is made from, per template face."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.faces import Pose, analyze_faces
from engine.identity import Avatar, AvatarFace
from engine.portrait import reference_order


@pytest.fixture(scope="module")
def astronaut_face(astronaut):
    (face,) = analyze_faces(astronaut, embed=False)
    return face


def avatar_of(faces: list[tuple[float, float]], points: np.ndarray) -> Avatar:
    """An avatar whose faces differ only in score and head turn (yaw)."""
    return Avatar(
        faces=[
            AvatarFace(crop=np.zeros((8, 8, 3), np.uint8), points=points, embedding=np.zeros(128, np.float32),
                       score=score, info={"yaw": yaw, "pitch": 0.0})
            for score, yaw in faces
        ],
        mean_embedding=np.zeros(128, np.float32),
    )


def test_reference_for_a_frontal_template_is_the_best_scored_face(astronaut_face):
    avatar = avatar_of([(0.9, 2.0), (0.8, -25.0), (0.7, 20.0)], astronaut_face.points)
    frontal = dataclasses.replace(astronaut_face, pose=Pose(yaw=0.0, pitch=0.0, roll=0.0))

    assert reference_order(avatar, frontal)[0] == 0


def test_reference_for_a_turned_template_is_a_face_turned_the_same_way(astronaut_face):
    avatar = avatar_of([(0.9, 2.0), (0.8, -25.0), (0.7, 20.0)], astronaut_face.points)
    turned = dataclasses.replace(astronaut_face, pose=Pose(yaw=-27.0, pitch=0.0, roll=0.0))

    assert reference_order(avatar, turned)[0] == 1


def test_reference_order_lists_every_face_once(astronaut_face):
    avatar = avatar_of([(0.9, 2.0), (0.8, -25.0), (0.7, 20.0), (0.6, 0.0)], astronaut_face.points)

    assert sorted(reference_order(avatar, astronaut_face)) == [0, 1, 2, 3]


def with_smile(points: np.ndarray, smile: float) -> np.ndarray:
    """The face's points with the mouth corners moved up or down so that landmarks.smile reads
    ``smile`` (0 composed, 0.15 a clear smile)."""
    from engine.faces import landmarks as lm

    moved = points.copy()
    width = np.linalg.norm(points[lm.MOUTH_RIGHT, :2] - points[lm.MOUTH_LEFT, :2])
    moved[[lm.MOUTH_RIGHT, lm.MOUTH_LEFT], 1] -= (smile - lm.smile(points)) * width
    return moved


def test_reference_for_a_smiling_template_is_the_smiling_face(astronaut_face):
    composed, smile = with_smile(astronaut_face.points, 0.0), with_smile(astronaut_face.points, 0.15)
    avatar = avatar_of([(0.9, 0.0), (0.8, 0.0)], composed)
    avatar.faces[1].points = smile  # the weaker-scored face smiles
    template = dataclasses.replace(astronaut_face, points=smile, pose=Pose(yaw=0.0, pitch=0.0, roll=0.0))

    assert reference_order(avatar, template)[0] == 1


def test_reference_for_a_composed_template_is_the_composed_face(astronaut_face):
    composed, smile = with_smile(astronaut_face.points, 0.0), with_smile(astronaut_face.points, 0.15)
    avatar = avatar_of([(0.8, 0.0), (0.9, 0.0)], smile)
    avatar.faces[0].points = composed  # the weaker-scored face is composed
    template = dataclasses.replace(astronaut_face, points=composed, pose=Pose(yaw=0.0, pitch=0.0, roll=0.0))

    assert reference_order(avatar, template)[0] == 0


def test_smile_reads_the_corners_lift(astronaut_face):
    from engine.faces import landmarks as lm

    assert lm.smile(with_smile(astronaut_face.points, 0.15)) == pytest.approx(0.15, abs=0.01)
