"""A fringe over a reference's forehead, painted out from the reference's own skin.

The colour model (occlusion.py) lets the template's skin through where it finds hair on the
reference. Over a fringe it found the strands in patches: the template's skin showed in blotches
between the reference's strands, a whitish haze with dark wisps over the forehead (looked at:
bench/hard_cases.py, John Lennon with round spectacles and curls). So a fringe is read as a
whole: where hair covers much of the forehead between the brows' ends, the forehead above the
eyes, all but the brows, is filled from the reference's skin below and beside it
(fill.fill_smooth: a smooth membrane with the skin's grain), and the portrait's forehead is the
avatar's bare skin under the template's hairline.

Tried first, and taken back: leaving the fringed forehead to the template. It put the template
person's forehead into the portrait (dlib placed a fringed astronaut fused into Grace Hopper's
photo 0.591 from Hopper herself, under its 0.6 line of "the same person"). Painting only up to
where hair started on each line from the brows to the outline left a band of strands over the
brows under a smooth forehead: a visor.
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import masks
from ..faces import landmarks as lm
from ..identity import AvatarFace
from .fill import fill_smooth
from .occlusion import SkinDistance, face_cached, occlusion_mask, reference_crop, skin_distance

# A forehead pixel is hair when it is darker than the cheeks' skin by this many robust spreads,
# or as far from it in colour (a or b). Lighter is not counted: a forehead catches the light
# (measured on the 33 photos of ../shared/data/faces: bare foreheads have a median z of 0.4-1.3
# in each channel; Eric Clapton's lit forehead is 2.0 lighter than his cheeks; John Lennon's
# light brown straight fringe is 2.2 off in a).
Z_HAIR = 2.0
HAIR_DISC = 0.12  # eye distances: hair is counted as a share of a disc this wide around each pixel
# A fringe: hair over this share of the forehead between the brows' outer ends, from the brows up
# to the outline. Measured on ../shared/data/faces (with FOREHEAD_LIT): fringes 0.46-0.58 (John
# Lennon's curls and his straight fringe, Eileen Collins) and John Salley's cap brim 0.37, painted
# out too; every other photo 0.06 or less (a side parting, a quiff, hair at the temples).
FRINGE_SHARE = 0.35
# A forehead lighter than the cheeks, its median this many robust spreads lighter or more, is
# bare skin catching the light: a fringe is darker. Only its colour set apart the bare foreheads
# of John Simm (2 photos), John Schneider and John Salley from their cheeks, at shares of
# 0.32-0.51; their median lightness is 0.7-1.0 spreads above the cheeks', the fringes' 0.9-3.2 below.
FOREHEAD_LIT = 0.0
# The painted forehead ends this far above the eyes' top (eye distances), fading over BOTTOM_RAMP
# above that, keeps the brows grown by BROW_GROW, reaches PAINT_PAST beyond the face's outline (the
# blend's feather reaches a little past it) and feathers into the rest over PAINT_FEATHER. Skin to
# paint from has under SKIN_SHARE hair around it.
ABOVE_EYES = 0.03
BOTTOM_RAMP = 0.15
BROW_GROW = 0.03
PAINT_PAST = 0.1
PAINT_FEATHER = 0.03
SKIN_SHARE = 0.2


def fringe_free_crop(face: AvatarFace) -> np.ndarray:
    """The reference crop to fuse (occlusion.reference_crop), a fringe over its forehead painted
    out from its own skin; the crop itself for a bare forehead. Made once per face."""
    return face_cached(face, "fringe_free", lambda face: _painted(reference_crop(face), face.points))


def fringe_share(crop: np.ndarray, points: np.ndarray) -> float:
    """The share of the forehead between the brows' outer ends (from the brows up to the outline)
    that hair covers; 0.0 when the face shows too little skin to tell, and for a forehead that is
    lighter than the cheeks as a whole (lit skin, whatever its colour)."""
    skin = skin_distance(crop, points, strict=True)
    return 0.0 if skin is None else _share(skin, _hair(skin, points), points)


def _share(skin: SkinDistance, hair: np.ndarray, points: np.ndarray) -> float:
    forehead = _forehead(points, hair.shape) > 0
    if not forehead.any() or float(np.median(skin.z[:, :, 0][forehead])) > FOREHEAD_LIT:
        return 0.0
    return float(hair[forehead].mean())


def _painted(crop: np.ndarray, points: np.ndarray) -> np.ndarray:
    skin = skin_distance(crop, points, strict=True)
    if skin is None:
        return crop
    hair = _hair(skin, points)
    if _share(skin, hair, points) < FRINGE_SHARE:
        return crop
    eyes = masks.eye_distance(points)
    outline = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(outline, [np.round(points[lm.FACE_OVAL, :2]).astype(np.int32)], 255)
    fringe = masks.grow_mask(outline, PAINT_PAST * eyes)
    eyes_top = float(points[lm.RIGHT_EYE + lm.LEFT_EYE, 1].min()) - ABOVE_EYES * eyes
    fringe[max(int(np.ceil(eyes_top)), 0) :] = 0
    brows = masks.parts_mask(points, crop.shape, [lm.RIGHT_BROW, lm.LEFT_BROW])
    fringe[masks.grow_mask(brows, BROW_GROW * eyes) > 0] = 0
    if not fringe.any():
        return crop
    # Painted from skin only: not from the hair around the face, the strands elsewhere on it, nor
    # the eyes and brows (their dark would spread into the forehead).
    known = outline.copy()
    known[(fringe > 0) | (skin.features > 0) | (hair > SKIN_SHARE)] = 0
    filled = fill_smooth(crop, 255 - known, grain_from=skin.core)
    # Towards the eyes the paint fades out over BOTTOM_RAMP: a hard line there read as a visor's edge.
    rows = np.arange(crop.shape[0], dtype=np.float32)[:, None]
    area = (fringe > 0) * np.clip((eyes_top - rows) / (BOTTOM_RAMP * eyes), 0.0, 1.0)
    weight = np.maximum(area, masks.blur_wide(area.astype(np.float32), PAINT_FEATHER * eyes))
    weight[brows > 0] = 0.0  # the feather ends at the brows: they are the person's own
    weight = weight[:, :, None]
    return np.clip(crop + weight * (filled.astype(np.float32) - crop) + 0.5, 0, 255).astype(np.uint8)


def _forehead(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """uint8 mask of the forehead proper: inside the outline, above the brows, between their outer
    ends (beside them hair runs down the temples of every head)."""
    brow_y = float(points[lm.RIGHT_BROW + lm.LEFT_BROW, 1].min())
    brows_x = points[lm.RIGHT_BROW + lm.LEFT_BROW, 0]
    forehead = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(forehead, [np.round(points[lm.FACE_OVAL, :2]).astype(np.int32)], 255)
    forehead[max(int(np.ceil(brow_y)), 0) :] = 0
    forehead[:, : max(int(brows_x.min()), 0)] = 0
    forehead[:, int(brows_x.max()) + 1 :] = 0
    return forehead


def _hair(skin: SkinDistance, points: np.ndarray) -> np.ndarray:
    """Float share (0-1) of hair around each pixel of the face ``skin`` measures: darker than the
    cheeks or unlike them in colour, or what the colour model finds (strands, by their busy detail)."""
    eyes = masks.eye_distance(points)
    z = skin.z
    hair = ((z[:, :, 0] < -Z_HAIR) | (np.abs(z[:, :, 1:]).max(axis=2) > Z_HAIR)).astype(np.float32)
    hair = np.maximum(hair, occlusion_mask(skin.rgb, points, eyes * 2.3, strict=True))
    hair[skin.features > 0] = 0.0
    side = max(int(HAIR_DISC * eyes) | 1, 3)
    return cv2.blur(hair, (side, side))
