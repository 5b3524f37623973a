"""The n portraits of one create are n different pictures, at least 1024 px, fit to the template.

Distinctness is measured afresh: each portrait is analysed again and the face regions compared
with SSIM (engine.candidates' measure, on the freshly found landmarks).
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.candidates import DISTINCT_SSIM, face_region, region_ssim
from engine.faces import analyze_faces
from engine.fit import AGE_WARNING, GENDER_WARNING, HAIR_WARNING
from engine.portrait import MIN_LONG_SIDE, portrait_create, template_canvas

MEN_SUIT = "facechain_styles/Men_suit.jpg"  # 512 x 512, a man in a suit
LIPSTICK = "easyphoto/9.jpg"  # a woman with red lips and a slim jaw


def template_bytes(shared_data, name: str) -> bytes:
    return (shared_data / "templates" / name).read_bytes()


def fresh_region(image: np.ndarray) -> np.ndarray:
    (face,) = [face for face in analyze_faces(image, embed=False) if face.points is not None]
    return face_region(image, face.points)


@pytest.fixture(scope="module")
def obama(built_avatar):
    return built_avatar("obama").avatar  # four photos


@pytest.fixture(scope="module")
def four_of_obama(shared_data, obama):
    return portrait_create(template_bytes(shared_data, MEN_SUIT), [obama], n=4)


def test_four_portraits_of_a_four_photo_avatar_are_four(four_of_obama):
    assert len(four_of_obama) == 4 and four_of_obama.note == ""


def test_no_two_portraits_of_one_create_have_alike_faces(four_of_obama):
    regions = [fresh_region(portrait.image) for portrait in four_of_obama]

    for a, b in itertools.combinations(regions, 2):
        assert region_ssim(a, b) < DISTINCT_SSIM


def test_portraits_of_one_create_come_from_different_reference_faces(four_of_obama):
    assert len({tuple(portrait.references) for portrait in four_of_obama}) == 4


def test_more_portraits_than_the_avatar_has_faces_gives_fewer_and_says_why(shared_data, obama):
    portraits = portrait_create(template_bytes(shared_data, MEN_SUIT), [obama], n=6)

    assert len(portraits) == 4
    assert portraits.note == "4 of 6 made: the avatar has only 4 distinct reference faces."


def test_two_portraits_on_a_small_template_differ(shared_data, obama, grace_hopper_jpg):
    first, second = portrait_create(grace_hopper_jpg, [obama], n=2)

    assert not np.array_equal(first.image, second.image)
    assert region_ssim(fresh_region(first.image), fresh_region(second.image)) < DISTINCT_SSIM


def test_portraits_of_a_512_px_template_are_1024_px(four_of_obama):
    for portrait in four_of_obama:
        assert portrait.image.shape[:2] == (MIN_LONG_SIDE, MIN_LONG_SIDE)


def test_template_canvas_leaves_a_large_template_as_it_is():
    large = np.zeros((1500, 1200, 3), np.uint8)

    assert template_canvas(large) is large


def test_old_template_warns_of_apparent_age(grace_hopper_jpg, obama):
    # Grace Hopper at 79 has deep lines; obama's photos measure about half her skin texture.
    (portrait,) = portrait_create(grace_hopper_jpg, [obama])

    assert AGE_WARNING in portrait.warnings


def test_template_with_lipstick_warns_a_bare_faced_man(shared_data, built_avatar):
    salley = built_avatar("john_salley").avatar

    (portrait,) = portrait_create(template_bytes(shared_data, LIPSTICK), [salley])

    assert GENDER_WARNING in portrait.warnings


def test_suit_template_does_not_warn_a_man(four_of_obama):
    assert all(portrait.warnings == [] for portrait in four_of_obama)


def test_short_haired_suit_template_warns_a_long_haired_woman(shared_data, built_avatar):
    # Rose Leslie's hair falls past her jaw (0.74 of the strips beside it); the suit's man's none (0.09).
    rose = built_avatar("rose_leslie").avatar

    (portrait,) = portrait_create(template_bytes(shared_data, MEN_SUIT), [rose])

    assert HAIR_WARNING in portrait.warnings
