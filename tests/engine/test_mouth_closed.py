"""A speaking or shouting reference's mouth closed to a composed template's (fusion.fuse._mouth_closed)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import Delaunay

from engine.faces import analyze_faces
from engine.faces import landmarks as lm
from engine.fusion import fuse
from engine.identity import avatar_build
from engine.portrait import portrait_create


@pytest.fixture(scope="module")
def composed(astronaut) -> np.ndarray:
    """The astronaut's landmarks: a closed mouth (opening about 0)."""
    (face,) = analyze_faces(astronaut, embed=False)
    return face.points.astype(np.float64)


def opened(points: np.ndarray, opening: float) -> np.ndarray:
    """``points`` with the lower lip and the jaw below it dropped until landmarks.mouth_opening
    reads about ``opening`` more than before, as a speaking mouth."""
    width = np.linalg.norm(points[lm.MOUTH_RIGHT, :2] - points[lm.MOUTH_LEFT, :2])
    down = fuse._down(points)
    corners = (points[lm.MOUTH_RIGHT, :2] + points[lm.MOUTH_LEFT, :2]) / 2
    below = (points[:, :2] - corners) @ down
    drop = np.clip(below / below[17], 0.0, 1.0) * opening * width
    lower = [index for ring in fuse.LOWER_RINGS for index in ring]
    # The gap is widest in the middle, as a real mouth's: the lower lip's columns drop less near the corners.
    drop[lower] = np.tile(np.sin(np.linspace(0.15, np.pi - 0.15, 9)), 4) * opening * width
    moved = points.copy()
    moved[:, :2] += drop[:, None] * down
    return moved


def test_an_open_mouth_is_closed_to_the_templates_opening(composed):
    speaking = opened(composed, 0.45)

    closed = fuse._mouth_closed(speaking, composed)

    assert lm.mouth_opening(speaking) > 0.4
    assert lm.mouth_opening(closed) == pytest.approx(lm.mouth_opening(composed), abs=0.02)


def test_a_smile_with_teeth_stays_open(composed):
    smiling = opened(composed, 0.2)

    assert fuse._mouth_closed(smiling, composed) is smiling


def test_closing_keeps_the_lips_thickness(composed):
    speaking = opened(composed, 0.45)

    closed = fuse._mouth_closed(speaking, composed)

    def thickness(points: np.ndarray) -> tuple[float, float]:
        upper = np.linalg.norm(points[0, :2] - points[13, :2])
        lower = np.linalg.norm(points[14, :2] - points[17, :2])
        return upper, lower

    assert thickness(closed) == pytest.approx(thickness(speaking), abs=0.5)


def test_closing_moves_nothing_above_the_mouth_corners(composed):
    speaking = opened(composed, 0.45)

    closed = fuse._mouth_closed(speaking, composed)

    above = [*lm.RIGHT_EYE, *lm.LEFT_EYE, *lm.NOSE, lm.MOUTH_RIGHT, lm.MOUTH_LEFT]
    np.testing.assert_array_equal(closed[above], speaking[above])


def test_no_triangle_of_the_closed_mouth_turns_over(composed):
    speaking = opened(composed, 0.45)

    closed = fuse._mouth_closed(speaking, composed)

    # The warp fills each triangle of the target from the same triangle of the reference: one
    # turned over between them is a fold (shards of the mouth's inside at its corners).
    triangles = Delaunay(closed[:, :2]).simplices

    def orientation(points: np.ndarray) -> np.ndarray:
        a, b, c = (points[triangles[:, k], :2] for k in range(3))
        return np.sign((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))

    np.testing.assert_array_equal(orientation(closed), orientation(speaking))


def test_a_portrait_from_a_speaking_photo_has_the_templates_closed_mouth(shared_data, grace_hopper_jpg):
    photo = shared_data / "faces" / "obama" / "2.jpg"  # speaking: mouth opening 0.42
    avatar, _ = avatar_build([photo.read_bytes()], names=[photo.name])

    portrait = portrait_create(grace_hopper_jpg, [avatar])[0]

    (face,) = analyze_faces(portrait.image, embed=False)
    assert lm.mouth_opening(avatar.faces[0].points) > 0.35
    assert lm.mouth_opening(face.points) < 0.1
