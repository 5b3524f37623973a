"""A face recoloured to the template's skin keeps its lips' own colour (fuse._lips_kept)."""
from __future__ import annotations

import numpy as np
import pytest

from engine import masks
from engine.color import from_lab, to_lab
from engine.faces import analyze_faces
from engine.fusion.fuse import _recolour
from engine.options import PortraitOptions

DARK_SKIN, DARK_LIPS = (45.0, 22.0, 27.0), (38.0, 22.0, 16.0)  # LAB: lips as red as the skin, less yellow
PALE_SKIN = (75.0, 11.0, 18.0)
SCALE = 3  # the astronaut's face at a reference crop's size


@pytest.fixture(scope="module")
def points(astronaut) -> np.ndarray:
    (face,) = analyze_faces(astronaut, embed=False)
    return face.points.astype(np.float64) * SCALE


def painted(shape: tuple[int, int], skin, lips=None, points=None) -> np.ndarray:
    lab = np.empty((*shape, 3), np.float32)
    lab[:] = skin
    if lips is not None:
        lab[masks.lips_mask(points, lab.shape) > 0] = lips
    return from_lab(lab)


def test_a_dark_face_s_lips_stay_redder_than_the_pale_skin_it_takes(astronaut, points):
    shape = (astronaut.shape[0] * SCALE, astronaut.shape[1] * SCALE)
    face = painted(shape, DARK_SKIN, DARK_LIPS, points)
    template = painted(shape, PALE_SKIN)
    face_width = masks.eye_distance(points) * 2.3

    out = to_lab(_recolour(face, template, points, np.ones(shape, np.float32), PortraitOptions(), face_width))

    lips = masks.lips_mask(points, out.shape) > 0
    skin = masks.skin_mask(points, out.shape) > 0
    # By the skin's shift alone the lips' a would be the skin's (a grey-lilac mouth on pale skin).
    assert np.median(out[lips][:, 1]) - np.median(out[skin][:, 1]) > 4.0
