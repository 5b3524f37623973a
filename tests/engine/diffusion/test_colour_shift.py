"""The diffusion backend's colour shift takes the template skin's warmer shadows as the classic
fusion does (color.match_chroma_slope), the template's face anywhere in its picture."""
from __future__ import annotations

import numpy as np

from engine.diffusion.creation import colour_shift
from engine.faces import analyze_faces
from tests.engine.shading import shaded, skin_b_slope

SCALE = 3  # the astronaut's face at a reference crop's size


def test_the_face_takes_the_templates_warmer_shadows_from_its_own_place(astronaut):
    (face,) = analyze_faces(astronaut, embed=False)
    points = face.points.astype(np.float64) * SCALE
    shape = (astronaut.shape[0] * SCALE, astronaut.shape[1] * SCALE)
    image = shaded(shape, points, (40.0, 75.0), lambda light: (np.full_like(light, 18.0), np.full_like(light, 20.0)))
    # The template is wider, its face further right: b 5 where it is lit (L 85), 11 in shadow.
    moved = points + np.array([150.0, 0.0, 0.0])
    template = shaded((shape[0], shape[1] + 150), moved, (65.0, 90.0),
                      lambda light: (8.0 - 0.12 * (light - 70.0), 8.0 - 0.24 * (light - 70.0)))

    out = colour_shift(image, template, points, moved)

    assert skin_b_slope(out, points) < -0.15
