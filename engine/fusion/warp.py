"""Piecewise-affine warps over a triangulation of landmarks.

Each triangle of the target is filled from the same triangle of the source by its own affine
map. The triangles are rasterised with OpenCV and the maps applied with plain numpy: scipy's
interpolators do the same through OpenBLAS, whose threads stalled each other on a busy machine
(measured: 0.02 s alone, 4-50 s under load).
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay

from ..faces.landmarks import FACE_OVAL


def _triangle_affines(dst: np.ndarray, src: np.ndarray, simplices: np.ndarray) -> np.ndarray:
    """For each triangle, the 2x3 affine map from its target corners to its source corners."""
    d0, d1, d2 = (dst[simplices[:, i]] for i in range(3))
    s0, s1, s2 = (src[simplices[:, i]] for i in range(3))
    a, b = d1[:, 0] - d0[:, 0], d2[:, 0] - d0[:, 0]
    c, d = d1[:, 1] - d0[:, 1], d2[:, 1] - d0[:, 1]
    det = a * d - b * c
    det = np.where(np.abs(det) < 1e-9, 1e-9, det)
    inv = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], 1) / det[:, None, None]
    su = np.stack([s1 - s0, s2 - s0], -1)  # n x 2 x 2, columns are the source edge vectors
    linear = np.empty((len(simplices), 2, 2))
    for i in range(2):
        for j in range(2):
            linear[:, i, j] = su[:, i, 0] * inv[:, 0, j] + su[:, i, 1] * inv[:, 1, j]
    offset = s0 - (linear[:, :, 0] * d0[:, :1] + linear[:, :, 1] * d0[:, 1:])
    return np.concatenate([linear, offset[:, :, None]], axis=2)


def _source_map(
    dst: np.ndarray, src: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source coordinates for every pixel of ``box`` (x0, y0, x1, y1 inclusive) and a mask of
    the pixels inside the triangulation."""
    x0, y0, x1, y1 = box
    simplices = Delaunay(dst).simplices
    affines = _triangle_affines(dst, src, simplices)
    index = np.full((y1 - y0 + 1, x1 - x0 + 1), -1, np.int32)
    corners = np.round((dst[simplices] - (x0, y0)) * 16).astype(np.int32)  # 4 bits of sub-pixel
    for number, triangle in enumerate(corners):
        cv2.fillConvexPoly(index, triangle, int(number), lineType=cv2.LINE_8, shift=4)
    inside = index >= 0
    ys, xs = np.nonzero(inside)
    m = affines[index[inside]]
    px, py = xs + x0, ys + y0
    map_x = np.full(index.shape, -1.0, np.float32)
    map_y = np.full(index.shape, -1.0, np.float32)
    map_x[inside] = m[:, 0, 0] * px + m[:, 0, 1] * py + m[:, 0, 2]
    map_y[inside] = m[:, 1, 0] * px + m[:, 1, 1] * py + m[:, 1, 2]
    return map_x, map_y, inside


def liquify(
    image: np.ndarray, source_points: np.ndarray, target_points: np.ndarray, *, anchor_radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Move the image content at ``source_points`` to ``target_points`` (the face's new shape),
    fading to no movement on the face outline scaled ``anchor_radius`` times from its centre.

    Returns the liquified image and the mask (bool) of pixels it moved.
    """
    height, width = image.shape[:2]
    src, dst = source_points[:, :2].astype(np.float64), target_points[:, :2].astype(np.float64)
    # The ring follows the face's own outline, scaled out from its centre (a circle would
    # reach past a narrow face and move the hair beside it), at whichever of the old and new
    # outlines lies farther out so no triangle folds over.
    oval = np.asarray(FACE_OVAL)
    centre = src[oval].mean(axis=0)
    direction = src[oval] - centre
    reach = np.maximum(np.linalg.norm(direction, axis=1), np.linalg.norm(dst[oval] - centre, axis=1))
    unit = direction / np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-6)
    ring = centre + anchor_radius * reach[:, None] * unit
    corners = np.array([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]], np.float64)
    anchors = np.vstack([ring, corners])
    map_x, map_y, inside = _source_map(np.vstack([dst, anchors]), np.vstack([src, anchors]), (0, 0, width - 1, height - 1))
    base_x, base_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    map_x = np.where(inside, map_x, base_x)
    map_y = np.where(inside, map_y, base_y)
    moved = (np.abs(map_x - base_x) > 0.05) | (np.abs(map_y - base_y) > 0.05)
    out = cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    out[~moved] = image[~moved]
    return out, moved


def mesh_warp(
    source: np.ndarray, source_points: np.ndarray, target_points: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Warp ``source`` so its landmarks land on ``target_points`` in an image of ``size`` (w, h).

    Returns the warped image and a float mask (1 where the mesh covers the pixel).
    """
    width, height = size
    src = source_points[:, :2].astype(np.float64)
    dst = target_points[:, :2].astype(np.float64)
    x0, y0 = np.floor(dst.min(axis=0)).astype(int)
    x1, y1 = np.ceil(dst.max(axis=0)).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, width - 1), min(y1, height - 1)
    warped = np.zeros((height, width, 3), np.uint8)
    coverage = np.zeros((height, width), np.float32)
    if x1 <= x0 or y1 <= y0:
        return warped, coverage
    map_x, map_y, inside = _source_map(dst, src, (x0, y0, x1, y1))
    patch = cv2.remap(source, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    warped[y0 : y1 + 1, x0 : x1 + 1] = patch
    coverage[y0 : y1 + 1, x0 : x1 + 1] = inside.astype(np.float32)
    return warped, coverage
