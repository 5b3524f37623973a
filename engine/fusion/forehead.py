"""How far up its forehead a reference face shows its own skin: where a fringe hangs over it, the
portrait takes the template's forehead from there up.

The blend mask gives the whole forehead above the brows to the avatar (fuse.FOREHEAD_KEEP), and
the colour model (occlusion.py) lets the template's skin through where it finds hair. Over a
fringe that reaches the brows, it found the strands in patches: the template's skin showed in
blotches between the reference's strands, a whitish haze over the forehead and eyes (looked at:
bench/hard_cases.py, John Lennon with round spectacles and curls; his straight fringe was not
found at all, and came out as a pale band). So the reference's forehead is read as a whole,
along lines from the brows up to each outline point above them: the avatar's forehead reaches
up to where hair starts on each line, and no farther. A fringe that lies on the brows still
shows its edge there: the brows are always the avatar's.
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import masks
from ..faces import landmarks as lm
from ..identity import AvatarFace
from .occlusion import face_cached, occlusion_mask, reference_crop, skin_distance

# A forehead pixel is hair when it is darker than the cheeks' skin by this many robust spreads,
# or as far from it in colour (a or b). Lighter is not counted: a forehead catches the light
# (measured on the 33 photos of ../shared/data/faces: bare foreheads have a median z of 0.4-1.3
# in each channel; Eric Clapton's lit forehead is 2.0 lighter than his cheeks; John Lennon's
# light brown straight fringe is 2.2 off in a).
Z_HAIR = 2.0
# Hair starts on a line where this share of a disc of HAIR_DISC eye distances around it is hair.
HAIR_SHARE = 0.5
HAIR_DISC = 0.12
# Only a fringe, hair over this share of the forehead between the brows' outer ends, is read:
# elsewhere the colour model takes hair at the hairline and temples for what it is. Measured on
# ../shared/data/faces: fringes over the forehead 0.46-0.58 (John Lennon's curls and his straight
# fringe, Eileen Collins); every other photo 0.27 or less (a side parting, a quiff, hair at the
# temples, a hairline's peak).
FRINGE_SHARE = 0.35
# Hair met past this share of the way to the outline is the hairline, which the mesh's outline
# follows: the colour model handles it. Below it, it is a fringe, and the forehead stops there.
HAIRLINE = 0.75
# The avatar keeps at least this share of its forehead: its brows and the skin just above them.
FOREHEAD_MIN = 0.12
SAMPLES = 24


def forehead_reach(face: AvatarFace) -> np.ndarray:
    """For each landmark of the face's outline (landmarks.FACE_OVAL, in order), the share of the
    way from the brows up to it that the reference's own skin covers: 1.0 for a bare forehead
    (and for the outline below the brows). Measured once per face."""
    return face_cached(face, "forehead_reach", lambda face: _measured(reference_crop(face), face.points))


def _measured(crop: np.ndarray, points: np.ndarray) -> np.ndarray:
    outline = points[lm.FACE_OVAL, :2].astype(np.float64)
    reach = np.ones(len(outline))
    brow_y = float(points[lm.RIGHT_BROW + lm.LEFT_BROW, 1].min())
    # The forehead proper: outline points above the brows and between their outer ends. Beside
    # them the line runs down the temple, through the side hair that every head has there.
    brows_x = points[lm.RIGHT_BROW + lm.LEFT_BROW, 0]
    above = (outline[:, 1] < brow_y) & (outline[:, 0] > brows_x.min()) & (outline[:, 0] < brows_x.max())
    if not above.any():
        return reach
    eyes = masks.eye_distance(points)
    hair = _hair(crop, points, eyes)
    if hair is None:
        return reach
    forehead = np.zeros(hair.shape, np.uint8)
    cv2.fillPoly(forehead, [np.round(outline).astype(np.int32)], 255)
    forehead[int(np.ceil(brow_y)):] = 0
    forehead[:, : int(brows_x.min())] = 0
    forehead[:, int(brows_x.max()) + 1 :] = 0
    if not forehead.any() or float(hair[forehead > 0].mean()) < FRINGE_SHARE:
        return reach
    height, width = hair.shape
    steps = np.linspace(0.0, 1.0, SAMPLES)
    for index in np.nonzero(above)[0]:
        x, y = outline[index]
        ys = brow_y + steps * (y - brow_y)
        xs = np.full_like(ys, x)
        inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
        share = np.zeros(SAMPLES)
        share[inside] = hair[ys[inside].astype(int), xs[inside].astype(int)]
        starts = np.nonzero(share >= HAIR_SHARE)[0]
        if len(starts) and steps[starts[0]] < HAIRLINE:
            reach[index] = max(steps[starts[0]], FOREHEAD_MIN)
    # Neighbouring lines agree: a fringe's edge is a curve, not a comb.
    padded = np.concatenate([reach[-1:], reach, reach[:1]])
    reach = np.minimum.reduce([padded[:-2], padded[1:-1], padded[2:]])
    padded = np.concatenate([reach[-1:], reach, reach[:1]])
    return (padded[:-2] + padded[1:-1] + padded[2:]) / 3.0


def _hair(crop: np.ndarray, points: np.ndarray, eyes: float) -> np.ndarray | None:
    """Float share (0-1) of hair around each pixel of ``crop``: darker than the cheeks or unlike
    them in colour, or what the colour model finds (strands, by their busy detail)."""
    skin = skin_distance(crop, points, strict=True)
    if skin is None:
        return None
    z = skin.z
    hair = ((z[:, :, 0] < -Z_HAIR) | (np.abs(z[:, :, 1:]).max(axis=2) > Z_HAIR)).astype(np.float32)
    hair = np.maximum(hair, occlusion_mask(crop, points, eyes * 2.3, strict=True))
    hair[skin.features > 0] = 0.0
    side = max(int(HAIR_DISC * eyes) | 1, 3)
    return cv2.blur(hair, (side, side))
