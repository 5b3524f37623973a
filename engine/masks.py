"""Masks of face regions drawn from the 478-point mesh (uint8, 0 or 255, or float feathered)."""
from __future__ import annotations

import cv2
import numpy as np

from .faces import landmarks as lm


def _poly(mask: np.ndarray, points: np.ndarray, indices: list[int], value: int) -> None:
    cv2.fillPoly(mask, [np.round(points[indices, :2]).astype(np.int32)], value, lineType=cv2.LINE_AA)


def face_mask(points: np.ndarray, shape: tuple[int, ...], *, region: str = "edge") -> np.ndarray:
    """The face: ``edge`` is the whole outline of the mesh; ``face`` shrinks it toward the centre
    by 12 % so the template keeps its own cheek and jaw edges."""
    outline = points[lm.FACE_OVAL, :2].astype(np.float64)
    if region == "face":
        centre = points[[lm.NOSE_TIP, 168], :2].mean(axis=0)
        outline = centre + 0.88 * (outline - centre)
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(outline).astype(np.int32)], 255, lineType=cv2.LINE_AA)
    return mask


def features_mask(points: np.ndarray, shape: tuple[int, ...], *, grow: float = 0.0) -> np.ndarray:
    """Eyes, brows and lips (the parts that are not skin), grown by ``grow`` x eye distance."""
    mask = np.zeros(shape[:2], np.uint8)
    for region in (lm.RIGHT_EYE, lm.LEFT_EYE, lm.RIGHT_BROW, lm.LEFT_BROW, lm.LIPS_OUTER):
        _poly(mask, points, region, 255)
    if grow > 0:
        mask = grow_mask(mask, grow * eye_distance(points))
    return mask


def grow_mask(mask: np.ndarray, radius: float) -> np.ndarray:
    """Dilate by a disc of ``radius`` px, via a distance transform (big kernels are slow)."""
    outside = cv2.distanceTransform((mask == 0).astype(np.uint8), cv2.DIST_L2, 3)
    return np.where(outside <= radius, 255, 0).astype(np.uint8)


def skin_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The face's skin: the outline without eyes, brows and lips."""
    mask = face_mask(points, shape)
    mask[features_mask(points, shape, grow=0.08) > 0] = 0
    return mask


def lips_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    _poly(mask, points, lm.LIPS_OUTER, 255)
    _poly(mask, points, lm.LIPS_INNER, 0)
    return mask


def eye_area_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Eyelids and the skin up to the brows (where eye make-up sits), not the eyes themselves."""
    mask = np.zeros(shape[:2], np.uint8)
    for eye, brow in ((lm.RIGHT_EYE, lm.RIGHT_BROW), (lm.LEFT_EYE, lm.LEFT_BROW)):
        hull = cv2.convexHull(np.round(points[eye + brow, :2]).astype(np.int32))
        cv2.fillConvexPoly(mask, hull, 255, lineType=cv2.LINE_AA)
    for eye in (lm.RIGHT_EYE, lm.LEFT_EYE):
        _poly(mask, points, eye, 0)
    for brow in (lm.RIGHT_BROW, lm.LEFT_BROW):
        _poly(mask, points, brow, 0)
    return mask


def eye_distance(points: np.ndarray) -> float:
    return float(np.linalg.norm(points[468, :2] - points[473, :2]))


def parts_mask(points: np.ndarray, shape: tuple[int, ...], parts: list[list[int]]) -> np.ndarray:
    """uint8 mask of the landmark polygons ``parts`` (e.g. both brows) filled, hard-edged."""
    mask = np.zeros(shape[:2], np.uint8)
    for part in parts:  # one by one: fillPoly fills where several polygons overlap by parity
        cv2.fillPoly(mask, [np.round(points[part, :2]).astype(np.int32)], 255)
    return mask


def hull_mask(points: np.ndarray, shape: tuple[int, ...], part: list[int]) -> np.ndarray:
    """uint8 mask of the convex hull of the landmarks ``part`` (e.g. the outer lips), filled."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(points[part, :2]).astype(np.int32)), 255)
    return mask


def points_box(points: np.ndarray, shape: tuple[int, ...], *, margin: int) -> tuple[slice, slice]:
    """The box (rows, columns) around ``points`` grown by ``margin`` px (a blur's reach), inside
    an image of ``shape``: work that only touches a part of the face is done in its box."""
    height, width = shape[:2]
    x0, y0 = np.maximum(np.floor(points[:, :2].min(axis=0)).astype(int) - margin, 0)
    x1, y1 = np.minimum(np.ceil(points[:, :2].max(axis=0)).astype(int) + margin + 1, (width, height))
    return slice(int(y0), int(max(y1, y0))), slice(int(x0), int(max(x1, x0)))


def mask_box(mask: np.ndarray, *, margin: int) -> tuple[slice, slice]:
    """The bounding box of ``mask`` (not empty) grown by ``margin`` px, inside the image."""
    rows, cols = np.nonzero(mask)
    height, width = mask.shape[:2]
    return (slice(max(rows.min() - margin, 0), min(rows.max() + 1 + margin, height)),
            slice(max(cols.min() - margin, 0), min(cols.max() + 1 + margin, width)))


def in_box(points: np.ndarray, box: tuple[slice, slice]) -> np.ndarray:
    """``points`` moved into the coordinates of ``box`` (a copy)."""
    local = points.copy()
    local[:, 0] -= box[1].start
    local[:, 1] -= box[0].start
    return local


def smooth_ramp(value: np.ndarray | float, span: np.ndarray | float) -> np.ndarray:
    """0 at ``value`` 0, 1 at ``span`` (a number or an array like ``value``), smoothstep between:
    no kink at either end, so a weight built from it leaves no visible edge."""
    t = np.clip(value / span, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    """A float mask in [0, 1] with soft edges; the inside of the hard mask stays near 1."""
    hard = mask.astype(np.float32) / 255.0
    if sigma <= 0:
        return hard
    # Erode first so the soft edge falls inside the region rather than spilling out of it.
    inside = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, 3)
    eroded = (inside > sigma).astype(np.float32)
    return blur_wide(eroded, sigma)


def blur_wide(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of large ``sigma`` at reduced resolution: the result holds only low
    frequencies, so computing it on a smaller image loses nothing and costs a fraction."""
    if sigma < 6:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    factor = min(int(sigma // 3), 8)
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def blur_within(image: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """``image`` (h x w x c) blurred from its weighted pixels only (normalised convolution): a
    region's own level, without what lies outside it leaking in."""
    total = blur_wide(weight, sigma)[:, :, None] + 1e-4
    return blur_wide(image * weight[:, :, None], sigma) / total
