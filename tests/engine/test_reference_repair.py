"""What covers a reference face is repaired from the reference itself, and clean references are
used first: the template's own face never shows through the new one as a ghost."""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from engine.faces import Pose, analyze_faces
from engine.faces import landmarks as lm
from engine.faces.glasses import find_glasses
from engine.fusion.occlusion import COVER_NOTED, occlusion_find, reference_cover, reference_crop, reference_occluders
from engine.fusion.warp import mesh_warp
from engine.identity import Avatar, AvatarFace, avatar_build
from engine.portrait import reference_order


def eyes_mask(points: np.ndarray, shape) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    for eye in (lm.RIGHT_EYE, lm.LEFT_EYE):
        cv2.fillPoly(mask, [np.round(points[eye, :2]).astype(np.int32)], 255)
    return mask > 0


@pytest.fixture(scope="module")
def spectacled_face(shared_data) -> AvatarFace:
    avatar, _ = avatar_build([(shared_data / "faces/eric_clapton/2.jpg").read_bytes()])
    return avatar.reference


def test_reference_spectacles_are_painted_out_of_the_crop(spectacled_face):
    assert find_glasses(spectacled_face.crop, spectacled_face.points) is not None

    assert find_glasses(reference_crop(spectacled_face), spectacled_face.points) is None


def test_eyes_behind_reference_spectacles_keep_their_own_detail(spectacled_face):
    """Seen through the same glass as the skin around them, each eye takes its lens's one gain
    (lens light evened out), and nothing else of it changes."""
    for eye in (lm.RIGHT_EYE, lm.LEFT_EYE):
        mask = np.zeros(spectacled_face.crop.shape[:2], np.uint8)
        cv2.fillPoly(mask, [np.round(spectacled_face.points[eye, :2]).astype(np.int32)], 255)
        before = spectacled_face.crop[mask > 0].astype(np.float64)
        after = reference_crop(spectacled_face)[mask > 0].astype(np.float64)

        for channel in range(3):
            assert np.corrcoef(before[:, channel], after[:, channel])[0, 1] > 0.99


def test_reference_with_spectacles_measures_covered(spectacled_face):
    assert spectacled_face.info["cover"] > 0.08


def test_bare_reference_draws_no_cover_warning(astronaut_avatar):
    """Eileen Collins's hair at her left temple counts (0.049 of the face since the strands across
    the brows' margin are taken with it), but no warning: that is under COVER_NOTED."""
    assert astronaut_avatar.reference.info["cover"] < COVER_NOTED
    assert reference_occluders(astronaut_avatar.reference) == []


def test_hand_over_the_reference_cheek_is_painted_from_its_skin_not_the_templates(astronaut, astronaut_avatar):
    """A hand on the reference's cheek: the new face stays whole there (blend alpha kept), its
    pixels painted from the reference's skin, not the template's face let through."""
    face = dataclasses.replace(astronaut_avatar.reference, info=dict(astronaut_avatar.reference.info))
    cheek = face.points[205, :2]
    palm = np.linalg.norm(face.points[468, :2] - face.points[473, :2]) * 0.35
    hand = cheek + np.array([[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 21)]) * palm * 0.5
    hand[9] = hand[0] + np.array([0.0, palm])  # wrist to middle knuckle: the finger width's scale
    face.info["hands"] = [hand.tolist()]
    (template,) = analyze_faces(astronaut, embed=False)
    roi, target = astronaut, template.points.astype(np.float64)
    # A template that differs from the reference everywhere: the reference's pixels are told apart.
    roi = np.ascontiguousarray(roi[:, :, ::-1])
    warped, _ = mesh_warp(reference_crop(face), face.points, target, (roi.shape[1], roi.shape[0]))
    width = float(np.linalg.norm(target[468, :2] - target[473, :2])) * 2.3

    occlusion = occlusion_find(roi, target, warped, face, width)

    x, y = np.round(target[205, :2]).astype(int)
    assert "reference:hand" in occlusion.found
    assert occlusion.clear[y, x] >= 0.95
    skin = warped[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3).astype(float).mean(axis=0)
    painted = occlusion.warped[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3).astype(float).mean(axis=0)
    template = roi[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3).astype(float).mean(axis=0)
    assert np.abs(painted - skin).max() < np.abs(painted - template).max()


def test_clean_reference_of_equal_fit_is_used_before_a_covered_one(astronaut):
    (face,) = analyze_faces(astronaut, embed=False)
    frontal = dataclasses.replace(face, pose=Pose(yaw=0.0, pitch=0.0, roll=0.0))
    avatar = Avatar(
        faces=[
            AvatarFace(crop=np.zeros((8, 8, 3), np.uint8), points=face.points, embedding=np.zeros(128, np.float32),
                       score=0.9, info={"yaw": 0.0, "pitch": 0.0, "cover": cover})
            for cover in (0.15, 0.0)
        ],
        mean_embedding=np.zeros(128, np.float32),
    )

    assert reference_order(avatar, frontal) == [1, 0]


def test_covered_reference_that_fits_far_better_is_still_used(astronaut):
    (face,) = analyze_faces(astronaut, embed=False)
    turned = dataclasses.replace(face, pose=Pose(yaw=-27.0, pitch=0.0, roll=0.0))
    avatar = Avatar(
        faces=[
            AvatarFace(crop=np.zeros((8, 8, 3), np.uint8), points=face.points, embedding=np.zeros(128, np.float32),
                       score=0.9, info={"yaw": yaw, "pitch": 0.0, "cover": cover})
            for yaw, cover in ((0.0, 0.0), (-25.0, 0.1))
        ],
        mean_embedding=np.zeros(128, np.float32),
    )

    assert reference_order(avatar, turned)[0] == 1


def test_reference_saved_before_cover_was_recorded_is_measured_on_first_use(astronaut_avatar):
    info = {k: v for k, v in astronaut_avatar.reference.info.items() if k != "cover"}
    old = dataclasses.replace(astronaut_avatar.reference, info=info)

    assert reference_cover(old) == astronaut_avatar.reference.info["cover"]
    assert "cover" in old.info
