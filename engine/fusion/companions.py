"""Other reference faces of the same avatar blended into the warped reference: a likeness of the
person rather than of one photo.

The hosted service's LoRA learns the person from every training photo; the classic engine warps
one photo onto the template, and that photo's own lighting, expression and camera come with it.
Here up to a few other references that fit the template as well (portrait.companion_faces) are
warped onto the same landmarks, their colour evened to the reference's, and mixed in where each
shows clear skin: a dense-landmark average of faces of one person stays sharp where the meshes
agree and moves the face towards what all the photos share (dlib's embedding of such an average
lies nearer the person's mean embedding than either photo's). The reference keeps the larger
share, so its expression and detail lead.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .. import masks
from ..faces import landmarks
from ..identity import AvatarFace
from .forehead import fringe_free_crop
from .occlusion import face_cached, occlusion_mask
from .warp import mesh_warp

COMPANIONS_SHARE = 0.5  # the companions together weigh this against the reference's 1.0 where all are clear
# A companion's mouth is mixed in only when it is as open and smiles as much as the reference's
# (differences under these, lip gap and corner lift per mouth width: landmarks.mouth_opening,
# landmarks.smile): a smile with teeth over closed lips is a ghost of teeth. Elsewhere it
# leaves the area within MOUTH_REACH mouth widths of the lips, where a smile's folds are.
MOUTH_ALIKE = 0.08
SMILE_ALIKE = 0.05
MOUTH_REACH = 0.3
# The reference's weight where its skin is hidden: where every face is hidden there it is all there is.
HIDDEN_KEPT = 0.01
MIN_SPREAD = 1.0  # LAB units: a channel flatter than this is only shifted, not scaled


def companions_blended(
    warped: np.ndarray, coverage: np.ndarray, target: np.ndarray, reference: AvatarFace,
    companions: Sequence[AvatarFace],
) -> np.ndarray:
    """``warped`` (the ``reference`` face on the ``target`` landmarks; ``coverage`` where its
    mesh lies) mixed with each companion face warped onto the same landmarks."""
    if not companions:
        return warped
    size = (warped.shape[1], warped.shape[0])
    inner = masks.face_mask(target, warped.shape, region="face") > 0
    mouth = None
    # Where the reference's own skin is hidden (a strand, a shadow at the rim) the companions
    # fill in, if theirs is clear there: the other photo shows that skin.
    own, _ = mesh_warp(np.ascontiguousarray(_with_clear(reference)[:, :, 3]), reference.points, target, size)
    weights = coverage * (HIDDEN_KEPT + (1.0 - HIDDEN_KEPT) * own.astype(np.float32) / 255.0)
    total = warped.astype(np.float32) * weights[:, :, None]
    for face in companions:
        layers, covered = mesh_warp(_with_clear(face), face.points, target, size)
        colour, clear = layers[:, :, :3], layers[:, :, 3].astype(np.float32) / 255.0
        shared = inner & (covered > 0) & (own > 127) & (clear > 0.5)
        if shared.sum() < 64:
            continue
        weight = COMPANIONS_SHARE / len(companions) * covered * clear
        if not _mouths_alike(reference.points, face.points):
            mouth = _mouth_area(target, warped.shape) if mouth is None else mouth
            weight *= 1.0 - mouth
        total += _lab_matched(colour, warped, shared).astype(np.float32) * weight[:, :, None]
        weights += weight
    mixed = total / np.maximum(weights, 1e-6)[:, :, None]
    out = np.where(coverage[:, :, None] > 0, mixed, warped)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _mouths_alike(one: np.ndarray, other: np.ndarray) -> bool:
    return (abs(landmarks.mouth_opening(one) - landmarks.mouth_opening(other)) < MOUTH_ALIKE
            and abs(landmarks.smile(one) - landmarks.smile(other)) < SMILE_ALIKE)


def _mouth_area(target: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """0-1: the lips and the skin within MOUTH_REACH mouth widths of them, feathered."""
    width = landmarks.mouth_width(target)
    area = masks.grow_mask(masks.hull_mask(target, shape, landmarks.LIPS_OUTER), MOUTH_REACH * width)
    return masks.feather(area, 0.1 * width)


def _with_clear(face: AvatarFace) -> np.ndarray:
    """The face's crop to fuse with a fourth channel: 255 where its skin is clear of what the
    colour model finds (strands, shadows at the rim), made once per face."""
    return face_cached(face, "with_clear", _clear_made)


def _clear_made(face: AvatarFace) -> np.ndarray:
    crop = fringe_free_crop(face)
    face_width = masks.eye_distance(face.points) * 2.3
    hidden = occlusion_mask(crop, face.points, face_width, strict=True)
    clear = np.clip((1.0 - hidden) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.dstack([crop, clear])


def _lab_matched(image: np.ndarray, reference: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``image`` with its LAB means and spreads over ``where`` moved to ``reference``'s: each photo
    has its own light and white balance, and an average of two lights is neither."""
    source = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    goal = cv2.cvtColor(reference, cv2.COLOR_RGB2LAB).astype(np.float32)
    for channel in range(3):
        have, want = source[:, :, channel][where], goal[:, :, channel][where]
        spread = have.std()
        gain = want.std() / spread if spread > MIN_SPREAD else 1.0
        source[:, :, channel] = (source[:, :, channel] - have.mean()) * gain + want.mean()
    return cv2.cvtColor(np.clip(source + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
