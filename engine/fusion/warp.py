"""Piecewise-affine warp over the face mesh: every mesh triangle of the source face is mapped
onto the same triangle at the target's landmark positions."""
from __future__ import annotations

import cv2
import numpy as np
from scipy.interpolate import LinearNDInterpolator

GRID_STEP = 4  # the map is smooth inside each triangle: sample it coarsely, then resize


def liquify(
    image: np.ndarray, source_points: np.ndarray, target_points: np.ndarray, *, anchor_radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Move the image content at ``source_points`` to ``target_points`` (the face's new shape),
    fading to no movement at a ring ``anchor_radius`` x the face's radius around it.

    Returns the liquified image and the mask (bool) of pixels it moved.
    """
    height, width = image.shape[:2]
    src, dst = source_points[:, :2].astype(np.float64), target_points[:, :2].astype(np.float64)
    centre = src.mean(axis=0)
    radius = np.linalg.norm(src - centre, axis=1).max()
    angles = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    ring = centre + anchor_radius * radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    corners = np.array([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]], np.float64)
    anchors = np.vstack([ring, corners])
    control_dst = np.vstack([dst, anchors])
    control_src = np.vstack([src, anchors])
    interpolate = LinearNDInterpolator(control_dst, control_src)
    xs = np.arange(0, width + GRID_STEP, GRID_STEP, dtype=np.float64)
    ys = np.arange(0, height + GRID_STEP, GRID_STEP, dtype=np.float64)
    grid_x, grid_y = np.meshgrid(xs, ys)
    coarse = interpolate(grid_x, grid_y)
    identity = np.stack([grid_x, grid_y], axis=-1)
    coarse = np.where(np.isfinite(coarse), coarse, identity).astype(np.float32)
    fx, fy = np.meshgrid(np.arange(width, dtype=np.float32) / GRID_STEP, np.arange(height, dtype=np.float32) / GRID_STEP)
    dense = cv2.remap(coarse, fx, fy, cv2.INTER_LINEAR)
    base_x, base_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    moved = (np.abs(dense[..., 0] - base_x) > 0.05) | (np.abs(dense[..., 1] - base_y) > 0.05)
    out = cv2.remap(image, dense[..., 0], dense[..., 1], cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
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
    interpolate = LinearNDInterpolator(dst, src, fill_value=-1.0)
    xs = np.arange(x0, x1 + GRID_STEP, GRID_STEP, dtype=np.float64)
    ys = np.arange(y0, y1 + GRID_STEP, GRID_STEP, dtype=np.float64)
    grid_x, grid_y = np.meshgrid(xs, ys)
    coarse = interpolate(grid_x, grid_y).astype(np.float32)  # len(ys) x len(xs) x 2
    box_w, box_h = x1 - x0 + 1, y1 - y0 + 1
    # Bilinear upsampling of the coarse map, sample j of which sits at pixel j * GRID_STEP.
    fx, fy = np.meshgrid(
        np.arange(box_w, dtype=np.float32) / GRID_STEP, np.arange(box_h, dtype=np.float32) / GRID_STEP
    )
    dense = cv2.remap(coarse, fx, fy, cv2.INTER_LINEAR)
    valid = (coarse[..., 0] >= 0).astype(np.float32)
    inside = cv2.remap(valid, fx, fy, cv2.INTER_LINEAR) > 0.999
    map_x = np.where(inside, dense[..., 0], -1).astype(np.float32)
    map_y = np.where(inside, dense[..., 1], -1).astype(np.float32)
    patch = cv2.remap(source, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    warped[y0 : y1 + 1, x0 : x1 + 1] = patch
    coverage[y0 : y1 + 1, x0 : x1 + 1] = inside.astype(np.float32)
    return warped, coverage
