"""engine.fusion.companions: other faces of the avatar mixed into the warped reference, and
portrait.companion_faces: which faces are mixed in.

The astronaut's photo (scikit-image's sample) is the reference; her companions are the same
photo changed: a dark bar over one cheek, a blur, a mouth opened by moving its landmarks.
"""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from engine import masks
from engine.faces import landmarks as lm
from engine.fusion.companions import companions_blended
from engine.fusion.forehead import fringe_free_crop
from engine.fusion.warp import mesh_warp
from engine.identity import Avatar
from engine.portrait import COMPANION_TURN, companion_faces, template_faces


@pytest.fixture(scope="module")
def reference(astronaut_avatar):
    return astronaut_avatar.reference


def warped_onto_itself(face):
    """The face warped onto its own landmarks: what fuse_face has before companions are mixed in."""
    size = (face.crop.shape[1], face.crop.shape[0])
    return mesh_warp(fringe_free_crop(face), face.points, face.points, size)


def cheek_bar(face) -> np.ndarray:
    """A bar over the outer right cheek, where strands fall, below the eye and above the nose tip
    (lower, a small dark patch is all edge and passes for stubble: occlusion._beard)."""
    bar = np.zeros(face.crop.shape[:2], np.uint8)
    eye_x, eye_y = face.points[lm.RIGHT_EYE, :2].mean(axis=0)
    width = masks.eye_distance(face.points)
    x0, y0 = int(eye_x - 0.5 * width), int(eye_y + 0.4 * width)
    bar[y0 : y0 + int(0.2 * width), x0 : x0 + int(0.35 * width)] = 255
    return bar > 0


def test_a_companion_fills_where_the_reference_skin_is_hidden(reference):
    bar = cheek_bar(reference)
    crop = reference.crop.copy()
    crop[bar] = (35, 25, 20)  # a dark strand over the reference's cheek
    hidden = dataclasses.replace(reference, crop=crop)
    warped, coverage = warped_onto_itself(hidden)

    mixed = companions_blended(warped, coverage, hidden.points, hidden, [reference])

    inside = cv2.erode(bar.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0  # off the mask's soft edge
    skin = fringe_free_crop(reference)[inside].astype(float).mean(axis=0)
    assert np.abs(warped[inside].astype(float).mean(axis=0) - skin).max() > 80
    assert np.abs(mixed[inside].astype(float).mean(axis=0) - skin).max() < 15


def test_a_companion_is_mixed_in_over_the_face(reference):
    blurred = dataclasses.replace(reference, crop=cv2.GaussianBlur(reference.crop, (0, 0), 4))
    warped, coverage = warped_onto_itself(reference)

    mixed = companions_blended(warped, coverage, reference.points, reference, [blurred])

    inner = masks.face_mask(reference.points, warped.shape, region="face") > 0
    assert np.abs(mixed[inner].astype(float) - warped[inner]).mean() > 1.0


def test_a_companion_with_another_mouth_leaves_the_lips_to_the_reference(reference):
    points = reference.points.copy()
    width = np.linalg.norm(points[lm.MOUTH_LEFT, :2] - points[lm.MOUTH_RIGHT, :2])
    lower = [i for i in set(lm.LIPS_INNER + lm.LIPS_OUTER) if points[i, 1] > points[lm.MOUTH_LEFT, 1]]
    points[lower, 1] += 0.3 * width  # the same photo with its mouth landmarks opened
    speaking = dataclasses.replace(reference, crop=cv2.GaussianBlur(reference.crop, (0, 0), 4), points=points)
    warped, coverage = warped_onto_itself(reference)

    mixed = companions_blended(warped, coverage, reference.points, reference, [speaking])

    lips = np.zeros(warped.shape[:2], np.uint8)
    cv2.fillPoly(lips, [np.round(reference.points[lm.LIPS_OUTER, :2]).astype(np.int32)], 255)
    assert np.abs(mixed[lips > 0].astype(float) - warped[lips > 0]).mean() < 0.5


def test_no_companions_leave_the_warp_as_it_is(reference):
    warped, coverage = warped_onto_itself(reference)

    assert companions_blended(warped, coverage, reference.points, reference, []) is warped


@pytest.fixture(scope="module")
def turned_avatar(reference) -> Avatar:
    """The reference's face four times: as it is, turned a little, turned far, and as it is again."""
    def turned(yaw: float):
        return dataclasses.replace(reference, crop=reference.crop.copy(), info={**reference.info, "yaw": yaw})

    faces = [reference, turned(reference.info.get("yaw", 0.0) + 5), turned(reference.info.get("yaw", 0.0) + 40), turned(
        reference.info.get("yaw", 0.0))]
    return Avatar(faces=faces, mean_embedding=reference.embedding)


@pytest.fixture(scope="module")
def astronaut_template_face(astronaut):
    return template_faces(astronaut, expected=1)[0]


def test_companions_are_the_other_faces_turned_alike(turned_avatar, astronaut_template_face):
    chosen = companion_faces(turned_avatar, astronaut_template_face, 0)

    assert sorted(chosen) == [1, 3]


def test_a_face_turned_past_the_limit_is_no_companion(turned_avatar, astronaut_template_face):
    far = turned_avatar.faces[2].info["yaw"] - turned_avatar.faces[0].info.get("yaw", 0.0)

    assert far > COMPANION_TURN
    assert 2 not in companion_faces(turned_avatar, astronaut_template_face, 0)
