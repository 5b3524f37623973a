"""A reference face's shine taken down before fusion (fusion.shine)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.color import to_lab
from engine.faces import analyze_faces
from engine.faces import landmarks as lm
from engine.fusion.shine import shine_tamed

SKIN = (196, 140, 112)  # a warm skin tone, RGB
# The astronaut's face is about 100 px wide; reference crops are 640 px, their faces 300-500.
SCALE = 3


@pytest.fixture(scope="module")
def points(astronaut) -> np.ndarray:
    """The astronaut's landmarks, on a face the size of a reference crop's."""
    (face,) = analyze_faces(astronaut, embed=False)
    return face.points.astype(np.float64) * SCALE


@pytest.fixture(scope="module")
def shape(astronaut) -> tuple[int, int, int]:
    height, width, channels = astronaut.shape
    return height * SCALE, width * SCALE, channels


def flat_face(shape: tuple[int, int, int]) -> np.ndarray:
    """An even skin tone with a little grain over the whole image, as a plain reference face."""
    rng = np.random.default_rng(7)
    image = np.empty(shape, np.float32)
    image[:] = SKIN
    image += rng.normal(0.0, 2.0, shape[:2])[:, :, None]
    return np.clip(image, 0, 255).astype(np.uint8)


def spot(image: np.ndarray, centre: np.ndarray, radius: int, colour: tuple[int, int, int]) -> np.ndarray:
    out = image.copy()
    cv2.circle(out, tuple(int(v) for v in centre), radius, colour, -1, lineType=cv2.LINE_AA)
    return out


def lightness(image: np.ndarray, centre: np.ndarray) -> float:
    x, y = (int(v) for v in centre)
    return float(to_lab(image)[y - 2 : y + 3, x - 2 : x + 3, 0].mean())


def test_a_whitish_highlight_on_the_nose_is_taken_down(shape, points):
    nose = points[lm.NOSE_TIP, :2]
    plain = flat_face(shape)
    shiny = spot(plain, nose, 18, (250, 246, 242))

    tamed = shine_tamed(shiny, points)

    excess_before = lightness(shiny, nose) - lightness(plain, nose)
    excess_after = lightness(tamed, nose) - lightness(plain, nose)
    assert excess_before > 20
    assert excess_after < 0.6 * excess_before  # SHINE_FROM and a quarter of the rest, by design
    assert excess_after > 0  # the nose tip stays a little lit: the face keeps its form


def test_a_lighter_patch_of_the_skins_own_colour_stays(shape, points):
    cheek = (points[lm.NOSE_TIP, :2] + points[234, :2]) / 2
    plain = flat_face(shape)
    lighter = spot(plain, cheek, 24, (222, 160, 128))  # lighter, same hue and chroma: not shine

    assert np.array_equal(shine_tamed(lighter, points), lighter)


def test_the_eyes_catch_lights_stay(shape, points):
    eye = points[lm.RIGHT_EYE, :2].mean(axis=0)
    glint = spot(flat_face(shape), eye, 6, (255, 255, 255))

    tamed = shine_tamed(glint, points)

    assert lightness(tamed, eye) == pytest.approx(lightness(glint, eye), abs=0.5)
