"""engine.fusion.warp.mesh_warp: a reference face drawn onto a template face turned away from it
as a renderer draws a surface, the nearer parts over the farther, without folding its texture
back and forth where the turned face's landmarks cross (shards along the nose's far side)."""
from __future__ import annotations

import numpy as np
import pytest

from engine.faces import analyze_faces
from engine.fusion.warp import mesh_warp


@pytest.fixture(scope="module")
def mesh(astronaut) -> np.ndarray:
    (face,) = analyze_faces(astronaut, embed=False)
    return face.points.astype(np.float64)


def turned(points: np.ndarray, degrees: float) -> np.ndarray:
    """The landmarks of the same head turned about its vertical axis (MediaPipe's z is depth)."""
    centre = points.mean(axis=0)
    local = points - centre
    angle = np.radians(degrees)
    out = local.copy()
    out[:, 0] = local[:, 0] * np.cos(angle) + local[:, 2] * np.sin(angle)
    out[:, 2] = -local[:, 0] * np.sin(angle) + local[:, 2] * np.cos(angle)
    return out + centre


def backward_share(shape: tuple[int, ...], source: np.ndarray, target: np.ndarray) -> float:
    """The share of the warped face's pixels whose source lies left of their left neighbour's: on a
    surface seen from the front the source runs left to right along each row (jumping forward where
    the nose hides the cheek behind it); running back is the texture folded over."""
    height, width = shape[:2]
    ys, xs = np.mgrid[:height, :width].astype(np.float32)
    warped, coverage = mesh_warp(np.dstack([xs, ys]), source, target, (width, height))
    inside = coverage > 0.5
    inside = inside[:, 1:] & inside[:, :-1]
    back = (np.diff(warped[:, :, 0], axis=1) < -0.5) & inside
    return float(back.sum() / inside.sum())


@pytest.mark.parametrize("degrees", [-30, 30])
def test_a_face_turned_away_from_its_reference_is_not_folded(astronaut, mesh, degrees):
    assert backward_share(astronaut.shape, mesh, turned(mesh, degrees)) < 0.01  # 0.028-0.030 before


def test_the_same_pose_is_drawn_in_order(astronaut, mesh):
    assert backward_share(astronaut.shape, mesh, turned(mesh, 0)) < 0.001
