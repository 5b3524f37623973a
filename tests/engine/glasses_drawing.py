"""Glasses drawn onto a real face at its mesh's eyes, for the cases ../shared/data lacks
(no template there wears sunglasses): two lenses, rims, a bridge and temple arms."""
from __future__ import annotations

import cv2
import numpy as np

from engine.faces import landmarks as lm


def draw_glasses(rgb: np.ndarray, points: np.ndarray, *, kind: str = "sunglasses", arms: str = "middle") -> np.ndarray:
    """A copy of ``rgb`` whose face at ``points`` wears ``kind`` ("sunglasses" or "spectacles"),
    the temple arms leaving each lens at the ``arms`` of its outer side ("middle" or "top": the
    hinge at the frame's upper corner, as most spectacles have it) or left off ("none")."""
    out = rgb.copy()
    eyes = float(np.linalg.norm(points[468, :2] - points[473, :2]))
    rim = max(2, round(eyes * (0.035 if kind == "sunglasses" else 0.025)))
    axes = (int(eyes * 0.42), int(eyes * 0.3))
    tilt = float(np.degrees(np.arctan2(*(points[473, 1::-1] - points[468, 1::-1]))))
    lenses = []
    for eye in (lm.RIGHT_EYE, lm.LEFT_EYE):
        centre = points[eye, :2].mean(axis=0) + np.array([0.0, eyes * 0.06])
        lenses.append(centre)
        box = (tuple(float(v) for v in centre), (2.0 * axes[0], 2.0 * axes[1]), tilt)
        if kind == "sunglasses":
            lens = np.zeros(out.shape[:2], np.uint8)
            cv2.ellipse(lens, box, 255, -1, cv2.LINE_AA)
            shade = (lens.astype(np.float32) / 255.0)[:, :, None] * 0.88
            out = (out * (1 - shade) + np.array([18, 20, 24]) * shade).astype(np.uint8)
        cv2.ellipse(out, box, (15, 15, 15), rim, cv2.LINE_AA)
    across = (lenses[1] - lenses[0]) * (axes[0] / eyes)  # from a lens's centre to its side
    inner = [lenses[0] + across, lenses[1] - across]
    cv2.line(out, _pt(inner[0]), _pt(inner[1]), (15, 15, 15), rim, cv2.LINE_AA)
    unit = across / max(float(np.linalg.norm(across)), 1e-6)
    up = np.array([unit[1], -unit[0]])
    corner = np.deg2rad(0.0 if arms == "middle" else 40.0)
    for centre, side, sign in ((lenses[0], points[234, :2], -1), (lenses[1], points[454, :2], 1)):
        if arms == "none":
            break
        start = centre + sign * unit * axes[0] * np.cos(corner) + up * axes[1] * np.sin(corner)
        cv2.line(out, _pt(start), _pt((side[0], start[1] - eyes * 0.05)), (15, 15, 15), rim, cv2.LINE_AA)
    return out


def _pt(xy) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))
