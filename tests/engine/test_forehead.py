"""engine.fusion.forehead: a reference's fringe leaves the forehead above it to the template.

The astronaut (Eileen Collins, scikit-image's sample) wears a fringe to her brows; Grace Hopper
(matplotlib's sample) shows her forehead bare under her cap.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import imaging
from engine.faces import analyze_faces
from engine.faces import landmarks as lm
from engine.fusion.forehead import FOREHEAD_MIN, forehead_reach
from engine.fusion.fuse import fuse_face
from engine.identity import avatar_build
from engine.options import PortraitOptions


def forehead_lines(points: np.ndarray) -> np.ndarray:
    """The outline points whose lines forehead_reach reads: above the brows, between their ends."""
    outline = points[lm.FACE_OVAL, :2]
    brows = points[lm.RIGHT_BROW + lm.LEFT_BROW, :2]
    between = (outline[:, 0] > brows[:, 0].min()) & (outline[:, 0] < brows[:, 0].max())
    return (outline[:, 1] < brows[:, 1].min()) & between


@pytest.fixture(scope="module")
def hopper_avatar(grace_hopper_jpg):
    avatar, _ = avatar_build([grace_hopper_jpg], names=["grace_hopper.jpg"])
    return avatar


def test_a_fringe_stops_the_avatars_forehead_where_it_starts(astronaut_avatar):
    face = astronaut_avatar.reference

    reach = forehead_reach(face)[forehead_lines(face.points)]

    assert np.median(reach) < 0.6
    assert reach.min() >= FOREHEAD_MIN - 1e-6


def test_a_bare_forehead_is_the_avatars_up_to_the_outline(hopper_avatar):
    assert np.all(forehead_reach(hopper_avatar.reference) == 1.0)


def upper_forehead(points: np.ndarray) -> tuple[int, int]:
    """A pixel half way from the brows up to the top of the outline."""
    brow_y = points[lm.RIGHT_BROW + lm.LEFT_BROW, 1].min()
    x, top = points[lm.FOREHEAD, :2]
    return int(brow_y + 0.5 * (top - brow_y)), int(x)


def test_the_template_keeps_its_forehead_above_the_references_fringe(grace_hopper_jpg, astronaut_avatar,
                                                                     hopper_avatar):
    # Grace Hopper's photo as the template (her forehead bare under the cap), once with the
    # astronaut's fringed face and once with her own: high on the forehead only the bare one is
    # blended in.
    template = imaging.decode(grace_hopper_jpg).rgb
    (face,) = analyze_faces(template, embed=False)

    fringed = fuse_face(template, face.points, astronaut_avatar.reference, PortraitOptions())
    bare = fuse_face(template, face.points, hopper_avatar.reference, PortraitOptions())

    assert fringed.alpha[upper_forehead(fringed.target_points)] < 0.2
    assert bare.alpha[upper_forehead(bare.target_points)] > 0.5
