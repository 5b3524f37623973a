"""engine.quality.face_quality: measures of one face, and its refusal of a face without landmarks."""
from __future__ import annotations

import pytest

from engine.errors import EngineError, ErrorCode
from engine.faces import Face, analyze_faces
from engine.quality import face_quality


def test_face_quality_measures_the_astronauts_face(astronaut):
    (face,) = analyze_faces(astronaut, embed=False)

    quality = face_quality(astronaut, face)

    assert not quality.is_blurred
    assert 0.0 < quality.score() <= 1.0


def test_face_quality_refuses_a_face_without_landmarks_as_internal_error(astronaut):
    # What analyze_faces returns past its ``limit``, or where the mesh did not fit.
    face = Face(box=(180.0, 70.0, 270.0, 180.0), score=0.9, points=None, pose=None)

    with pytest.raises(EngineError) as caught:
        face_quality(astronaut, face)

    assert caught.value.code == ErrorCode.INTERNAL

