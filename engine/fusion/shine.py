"""The reference face's shine (specular highlights of its own light) taken down before fusion.

A reference photo's highlights belong to its light: a flash or a studio lamp leaves a bright,
whitish spot on the nose tip, the forehead or the cheekbones. Moved onto a template lit
otherwise, the spot stays where the template has no light, and the colour matching, which lifts a
darker reference to a paler template's skin, clips it to a white blot (looked at: Biden's photo
with a shiny nose tip on a pale, back-lit template: bench/hard_cases.py, "reference shine, pale
template").

Shine is told from skin by being both brighter than the skin around it and less coloured (a
highlight reflects the light's colour, not the skin's); a lighter patch of the same colour (a
flushed cheek) is not shine and stays. What is found is brought down to SHINE_FROM over the skin
around it and a share of the rest, in the skin's colour: the form of the nose stays lit, the
glare does not. Eyes, brows and lips are left alone (their catch-lights and gloss are the face's).
"""
from __future__ import annotations

import cv2
import numpy as np

from .. import masks
from ..color import from_lab, to_lab

# L* units (0-100) above the skin around: below SHINE_FROM nothing changes, from SHINE_FULL on the
# full correction applies; past SHINE_FROM a highlight keeps SHINE_KEEP of its excess. A glare on
# a nose tip measures 15-30 over the skin around it. Gentler than it could be, and measured so:
# taming everything from 6 up (forehead sheen, the light on wrinkles and cheekbones) took
# bench/engine.py --quick's held-out identity median from 0.3855 to 0.3951 and its share within
# 0.40 from 63 % to 53 % (the tuned people's from 98 % to 95 %): that light is part of the
# face's form, as dlib reads it. From 12 with a quarter kept, the figures are unchanged.
SHINE_FROM = 12.0
SHINE_FULL = 18.0
SHINE_KEEP = 0.25
# A pixel counts as whitish when its chroma is this share of the skin's around it or less,
# fully so at WHITISH_FULL (a glare takes the light's colour; a flushed or lighter patch keeps
# the skin's).
WHITISH_FROM = 0.8
WHITISH_FULL = 0.5
# "Around": the skin's local level, a blur this share of the face's width (wider flattens the
# light's modelling of the face; narrower takes a highlight's own brightness for the level).
AROUND = 0.05
EDGE = 0.03  # of the face's width: the skin's outline, left alone
# Shine is found on the face at about this width (a glare is tens of pixels across in a
# reference crop, so nothing is lost) and taken down at the crop's own size: 14 ms a face.
WORK_WIDTH = 240.0  # px


def shine_tamed(crop: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``crop`` (RGB uint8) with the shine on the skin of the face at ``points`` taken down."""
    face_width = masks.eye_distance(points) * 2.3
    scale = min(1.0, WORK_WIDTH / max(face_width, 1.0))
    small = crop if scale == 1.0 else cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small_points = points[:, :2] * scale
    # Off the outline too: there the background or hair shows through the mesh's edge, and is
    # not the face's shine.
    skin = masks.skin_mask(small_points, small.shape)
    skin = cv2.erode(skin, None, iterations=max(1, int(face_width * scale * EDGE)))
    if cv2.countNonZero(skin) < 64:
        return crop
    skin = (skin > 0).astype(np.float32)
    lab = to_lab(small)
    sigma = max(face_width * scale * AROUND, 1.0)
    level = masks.blur_within(lab, skin, sigma)
    if float((skin * (lab[:, :, 0] - level[:, :, 0])).max()) < SHINE_FROM:
        return crop
    # Once more without what stood out: a highlight lifts the level it is measured against.
    level = masks.blur_within(lab, skin * (lab[:, :, 0] - level[:, :, 0] < SHINE_FROM), sigma)
    excess = lab[:, :, 0] - level[:, :, 0]
    share = np.hypot(lab[:, :, 1], lab[:, :, 2]) / np.maximum(np.hypot(level[:, :, 1], level[:, :, 2]), 1.0)
    whitish = masks.smooth_ramp(WHITISH_FROM - share, WHITISH_FROM - WHITISH_FULL)
    shine = masks.smooth_ramp(excess - SHINE_FROM, SHINE_FULL - SHINE_FROM)
    weight = shine * whitish * cv2.GaussianBlur(skin, (0, 0), 1.0)
    if float(weight.max()) < 0.05:
        return crop
    change = np.empty_like(lab)
    change[:, :, 0] = -weight * np.maximum(excess - SHINE_FROM, 0.0) * (1.0 - SHINE_KEEP)
    change[:, :, 1:] = weight[:, :, None] * (level[:, :, 1:] - lab[:, :, 1:])
    if scale != 1.0:
        change = cv2.resize(change, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)
    # Only the box of what changes goes through LAB and back.
    rows, cols = np.nonzero(weight > 0.001)
    y0, x0 = max(int((rows.min() - 1) / scale), 0), max(int((cols.min() - 1) / scale), 0)
    y1, x1 = int(np.ceil((rows.max() + 2) / scale)), int(np.ceil((cols.max() + 2) / scale))
    box = (slice(y0, y1), slice(x0, x1))
    out = crop.copy()
    out[box] = from_lab(to_lab(crop[box]) + change[box])
    return out
