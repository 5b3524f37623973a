"""engine.fusion.forehead: a fringe over a reference's forehead is painted out from its own skin.

The astronaut (Eileen Collins, scikit-image's sample) wears a fringe to her brows; Grace Hopper
(matplotlib's sample) shows her forehead bare under her cap.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import masks
from engine.faces import landmarks as lm
from engine.fusion.forehead import FRINGE_SHARE, fringe_free_crop, fringe_share
from engine.fusion.occlusion import reference_crop, skin_distance
from engine.identity import avatar_build


@pytest.fixture(scope="module")
def hopper_face(grace_hopper_jpg):
    avatar, _ = avatar_build([grace_hopper_jpg], names=["grace_hopper.jpg"])
    return avatar.reference


def upper_forehead(points: np.ndarray) -> tuple[int, int]:
    """A pixel half way from the brows up to the top of the outline."""
    brow_y = points[lm.RIGHT_BROW + lm.LEFT_BROW, 1].min()
    x, top = points[lm.FOREHEAD, :2]
    return int(brow_y + 0.5 * (top - brow_y)), int(x)


def test_a_fringe_covers_the_forehead(astronaut_avatar):
    face = astronaut_avatar.reference

    assert fringe_share(reference_crop(face), face.points) > FRINGE_SHARE


def test_a_bare_forehead_is_no_fringe(hopper_face):
    assert fringe_share(reference_crop(hopper_face), hopper_face.points) < FRINGE_SHARE


def test_a_bare_forehead_is_fused_as_it_is(hopper_face):
    assert fringe_free_crop(hopper_face) is reference_crop(hopper_face)


def test_a_fringe_is_painted_from_the_references_skin(astronaut_avatar):
    face = astronaut_avatar.reference
    y, x = upper_forehead(face.points)

    before = skin_distance(reference_crop(face), face.points, strict=True).z[y, x]
    after = skin_distance(fringe_free_crop(face), face.points, strict=True).z[y, x]

    assert before[0] < -2.0  # her fringe: darker than her cheeks
    assert np.abs(after).max() < 2.0  # now as her cheeks are, in lightness and colour


def test_the_brows_stay_under_a_painted_fringe(astronaut_avatar):
    face = astronaut_avatar.reference
    brows = masks.parts_mask(face.points, face.crop.shape, [lm.RIGHT_BROW, lm.LEFT_BROW]) > 0

    assert np.array_equal(fringe_free_crop(face)[brows], reference_crop(face)[brows])
