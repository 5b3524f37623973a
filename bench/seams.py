"""The seam figure: how much edge the blend draws along its boundary, against the template's own.

A seam is an edge that runs along the mask's boundary: the image's gradient across the boundary
(along the mask's own gradient), measured above grain scale where the blend weight crosses 0.5,
in the portrait divided by the same in the template at the same pixels. Only the smoother half of
the boundary counts (by the template's own gradient): where the boundary runs along a jaw against
the background, or into hair, a real edge is there anyway and would drown the figure. 1.0 is as
smooth as the original photo; above it the boundary shows.
"""
from __future__ import annotations

import cv2
import numpy as np

from engine.fusion.fuse import fuse_face
from engine.identity import Avatar
from engine.portrait import Portrait

EDGE_SIGMA = 1.5  # px at 1024 px: above grain, at the scale a step between two skins shows
MIN_BOUNDARY = 50  # px: fewer boundary pixels than this and there is no figure


def _gradient(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gray = cv2.GaussianBlur(rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32), (0, 0), EDGE_SIGMA)
    return cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3) / 8, cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3) / 8


def seam_ratio(template: np.ndarray, portrait: np.ndarray, alpha: np.ndarray) -> float | None:
    """Gradient energy across the boundary where ``alpha`` (float 0-1, the template's size)
    crosses 0.5, in ``portrait`` over the same in ``template``; None without a boundary."""
    inside = (alpha >= 0.5).astype(np.uint8)
    boundary = cv2.dilate(inside, np.ones((3, 3), np.uint8)) != cv2.erode(inside, np.ones((3, 3), np.uint8))
    smooth = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), 2.0)
    ax = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    ay = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    norm = np.hypot(ax, ay)
    boundary &= norm > 1e-4
    if np.count_nonzero(boundary) < MIN_BOUNDARY:
        return None
    nx, ny = ax / np.maximum(norm, 1e-6), ay / np.maximum(norm, 1e-6)
    tx, ty = _gradient(template)
    edges = np.hypot(tx, ty)
    boundary &= edges <= np.median(edges[boundary])
    px, py = _gradient(portrait)
    made = float(((px * nx + py * ny) ** 2)[boundary].mean())
    original = float(((tx * nx + ty * ny) ** 2)[boundary].mean())
    return made / max(original, 1e-3)


def portrait_seam(template: np.ndarray, template_points: np.ndarray, avatar: Avatar, portrait: Portrait) -> float | None:
    """The seam figure of a one-face portrait: its blend boundary is fused again (fusion is
    deterministic) from the reference face, companions and options the portrait was made with."""
    companions = [avatar.faces[i] for i in portrait.companions[0]] if portrait.companions else []
    fused = fuse_face(template, template_points, avatar.faces[portrait.references[0]], portrait.options, companions)
    return seam_ratio(template, portrait.image, fused.alpha)
