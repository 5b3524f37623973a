"""A candidate that comes out far from its avatar is made again from the next references.

The avatar here is the astronaut's, but its best-fitting reference face is a stranger's (Grace
Hopper's, fused into her own photo): the portrait made from it is far from the avatar, and the
rescue must find the astronaut's own face among the next references.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.identity import Avatar, avatar_build
from engine.options import PortraitOptions
from engine.portrait import LIKENESS_RESCUE, RESCUE_MARGIN, Portrait, _margin_kept, portrait_create


@pytest.fixture(scope="module")
def stranger_first(grace_hopper_jpg, astronaut_avatar) -> Avatar:
    hopper, _ = avatar_build([grace_hopper_jpg], names=["hopper.jpg"])
    stranger = dataclasses.replace(hopper.faces[0], score=1.0)  # the best fit of every plan
    own = dataclasses.replace(astronaut_avatar.faces[0], score=0.5)
    return Avatar(faces=[stranger, own], mean_embedding=astronaut_avatar.mean_embedding)


@pytest.fixture(scope="module")
def unsearched(grace_hopper_jpg, stranger_first):
    """The portrait made from the best-fitting reference alone (no likeness search, no rescue)."""
    (portrait,) = portrait_create(grace_hopper_jpg, [stranger_first], options=PortraitOptions(likeness_search=False))
    return portrait


def test_the_best_fitting_reference_alone_is_far_from_the_avatar(unsearched):
    assert unsearched.references == [0]
    assert unsearched.identity_distance >= LIKENESS_RESCUE


def test_a_portrait_far_from_its_avatar_is_made_from_the_next_reference(grace_hopper_jpg, stranger_first, unsearched):
    (portrait,) = portrait_create(grace_hopper_jpg, [stranger_first], n=1)

    assert portrait.references == [1]
    assert portrait.identity_distance < unsearched.identity_distance - 0.1


def scored(distance: float, references: list[int]) -> Portrait:
    return Portrait(image=np.zeros((1, 1, 3), np.uint8), identity_distance=distance, face_distances=[distance],
                    references=references, options=PortraitOptions())


def test_a_worse_fitting_reference_wins_only_by_the_margin():
    planned = scored(0.40, [0])
    barely_closer = scored(0.40 - RESCUE_MARGIN / 2, [1])

    assert _margin_kept([planned], [barely_closer]) is planned


def test_a_worse_fitting_reference_clearly_closer_wins():
    planned = scored(0.40, [0])
    clearly_closer = scored(0.40 - 2 * RESCUE_MARGIN, [1])

    assert _margin_kept([planned], [clearly_closer]) is clearly_closer
