"""A face recoloured to the template's skin takes the way that skin changes colour with its
lightness, not only its mean (color.match_chroma_slope, from fuse._recolour): warmer in shadow,
so a shaded face on a pale template is not grey."""
from __future__ import annotations

import numpy as np
import pytest

from engine import masks
from engine.color import to_lab
from engine.faces import analyze_faces
from engine.fusion.fuse import _recolour
from engine.identity import avatar_build
from engine.options import PortraitOptions
from engine.portrait import decode_template, portrait_create
from tests.engine.shading import shaded, skin_b_slope

SCALE = 3  # the astronaut's face at a reference crop's size


@pytest.fixture(scope="module")
def points(astronaut) -> np.ndarray:
    (face,) = analyze_faces(astronaut, embed=False)
    return face.points.astype(np.float64) * SCALE


def recoloured_slope(astronaut, points, template_colour, template_lightness=(65.0, 90.0)) -> float:
    """The slope of b on L over the face's skin, recoloured from a face whose colour does not
    change with its lightness onto a template whose colour does as ``template_colour`` says."""
    shape = (astronaut.shape[0] * SCALE, astronaut.shape[1] * SCALE)
    face = shaded(shape, points, (40.0, 75.0), lambda light: (np.full_like(light, 18.0), np.full_like(light, 20.0)))
    template = shaded(shape, points, template_lightness, template_colour)
    face_width = masks.eye_distance(points) * 2.3

    out = _recolour(face, template, points, np.ones(shape, np.float32), PortraitOptions(), face_width)

    return skin_b_slope(out, points)


def test_the_face_takes_the_templates_warmer_shadows(astronaut, points):
    # A pale template's skin: b 5 where it is lit (L 85), 11 in its shadows (L 60).
    slope = recoloured_slope(astronaut, points, lambda light: (8.0 - 0.12 * (light - 70.0), 8.0 - 0.24 * (light - 70.0)))

    assert slope < -0.15


def test_a_templates_shadows_that_lose_colour_are_not_followed(astronaut, points):
    # A cool fill light: b 11 where the skin is lit (L 85), 5 in its shadows (L 60).
    slope = recoloured_slope(astronaut, points, lambda light: (8.0 + 0.12 * (light - 70.0), 8.0 + 0.24 * (light - 70.0)))

    assert slope < 0.15


def test_a_template_lit_flat_leaves_the_faces_own_colour_across_its_shading(astronaut, points):
    slope = recoloured_slope(astronaut, points, lambda light: (np.full_like(light, 8.0), np.full_like(light, 8.0)),
                             template_lightness=(78.0, 79.0))

    assert abs(slope) < 0.03


def test_a_shaded_face_on_a_pale_template_is_warmer_in_its_shadows(shared_data):
    """Joe Biden's shaded face on Ocean_Summer_vibe's pale, bright skin (hard case 24): before,
    its shadows had the pale mean's little colour, a grey-blue face on a warm neck."""
    template = (shared_data / "templates" / "facechain_styles" / "Ocean_Summer_vibe.jpg").read_bytes()
    avatar, _ = avatar_build([(shared_data / "faces" / "biden" / "1.jpg").read_bytes()])

    portrait = portrait_create(decode_template(template), [avatar])[0]

    (face,) = analyze_faces(portrait.image, embed=False)
    lab = to_lab(portrait.image)
    skin = masks.skin_mask(face.points, lab.shape) > 0
    light, b = lab[..., 0][skin], lab[..., 2][skin]
    darker, lighter = light < np.percentile(light, 25), light > np.percentile(light, 75)
    assert b[darker].mean() - b[lighter].mean() > 2.0
