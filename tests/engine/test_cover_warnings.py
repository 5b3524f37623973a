"""A portrait made from a covered reference face (glasses, a hand, hair over it) tells the
customer so: what covered it is painted over as well as the classic engine can, which shows on
a close look, and clear photos fix it."""
from __future__ import annotations

import pytest

from engine.fusion.occlusion import reference_occluders
from engine.identity import avatar_build
from engine.portrait import portrait_create

TEMPLATE = "templates/facechain_styles/Gentleman.jpg"


@pytest.fixture(scope="module")
def spectacled(shared_data):
    return avatar_build([(shared_data / "faces/sundar_pichai/2.jpg").read_bytes()])[0]


def test_spectacles_over_a_reference_face_are_named(spectacled):
    assert reference_occluders(spectacled.reference) == ["spectacles"]


def test_a_bare_reference_face_has_nothing_over_it(astronaut_avatar):
    assert reference_occluders(astronaut_avatar.reference) == []


def test_portrait_from_a_reference_with_spectacles_warns(shared_data, spectacled):
    portrait = portrait_create((shared_data / TEMPLATE).read_bytes(), [spectacled])[0]

    assert any("with glasses over the face" in warning for warning in portrait.warnings)


def test_portrait_from_a_clear_reference_has_no_cover_warning(shared_data, astronaut_avatar):
    portrait = portrait_create((shared_data / TEMPLATE).read_bytes(), [astronaut_avatar])[0]

    assert not any("over the face" in warning for warning in portrait.warnings)
