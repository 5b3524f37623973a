"""Two faces close together: fusing the second must not overwrite what the first became.

The template is Grace Hopper's photo cut to 0.8 of her face's width and set twice side by side:
the two faces touch, so the second face's work area (its reshaping and blend) covers the first's
cheek. Measured without the protection in engine.portrait.faces_fuse: 668 pixels of the first
face changed, by up to 104 levels.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import imaging
from engine.fusion.fuse import fuse_face
from engine.options import PortraitOptions
from engine.portrait import faces_fuse, template_faces

CUT = 0.8  # of the face's width: the faces overlap a little, cheek to cheek


@pytest.fixture(scope="module")
def close_pair(grace_hopper_jpg) -> np.ndarray:
    from engine.faces import analyze_faces

    rgb = imaging.decode(grace_hopper_jpg).rgb
    (face,) = analyze_faces(rgb, embed=False)
    x0, _, x1, _ = face.box
    centre, half = (x0 + x1) / 2, CUT * (x1 - x0) / 2
    cut = rgb[:, int(centre - half): int(centre + half)]
    return np.ascontiguousarray(np.concatenate([cut, cut], axis=1))


def test_fusing_the_second_of_two_touching_faces_keeps_the_first_faces_pixels(close_pair, astronaut_avatar):
    options = PortraitOptions()
    faces = template_faces(close_pair, expected=2)
    first = fuse_face(close_pair, faces[0].points, astronaut_avatar.faces[0], options)
    second = fuse_face(first.image, faces[1].points, astronaut_avatar.faces[0], options)

    both, _, _ = faces_fuse(close_pair, faces, [astronaut_avatar, astronaut_avatar], options, [0, 0])

    # The first face's own pixels, where the second face's blend does not reach.
    own = (first.alpha > 0.99) & (second.alpha < 0.01)
    difference = np.abs(both.astype(np.int16) - first.image.astype(np.int16)).max(axis=2)
    assert own.sum() > 5000 and difference[own].max() <= 1
