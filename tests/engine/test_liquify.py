"""engine.fusion.warp.liquify: the template's face moved to the new face's shape as one smooth
field, without folds where landmarks crowd and cross (a strongly turned template's far cheek)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.faces import analyze_faces
from engine.faces.landmarks import FACE_OVAL
from engine.fusion.fuse import LIQUIFY_RING
from engine.fusion.warp import liquify


@pytest.fixture(scope="module")
def mesh(astronaut) -> np.ndarray:
    (face,) = analyze_faces(astronaut, embed=False)
    return face.points.astype(np.float64)


def waves(shape: tuple[int, ...]) -> np.ndarray:
    """A smooth image with a known steepest slope (about 2.6 grey levels a pixel)."""
    ys, xs = np.mgrid[: shape[0], : shape[1]].astype(np.float32)
    grey = 128 + 60 * np.sin(xs / 23.0) + 40 * np.cos(ys / 31.0)
    return np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)


def steepest(image: np.ndarray, mask: np.ndarray) -> float:
    grey = image[:, :, 0].astype(np.float32)
    slope = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=1), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=1))
    return float(np.percentile(slope[mask], 99.9))


def test_crossing_landmark_moves_leave_no_fold(astronaut, mesh):
    # Every other landmark on the image-left half of the face moves 6 px one way, the rest 6 px the
    # other: neighbours cross, as the far cheek's do on a turned template.
    image = waves(astronaut.shape)
    centre = mesh[FACE_OVAL, 0].mean()
    target = mesh.copy()
    far = np.nonzero(mesh[:, 0] < centre)[0]
    target[far[::2], 0] += 6.0
    target[far[1::2], 0] -= 6.0

    moved_image, moved = liquify(image, mesh, target, anchor_radius=LIQUIFY_RING)

    # Measured inside the face's outline, where the landmarks cross, whatever else the field moves.
    face = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(face, [np.round(mesh[FACE_OVAL, :2]).astype(np.int32)], 255)
    assert moved.any()
    assert steepest(moved_image, face > 0) <= 2.0 * steepest(image, face > 0)


def test_the_face_moves_with_its_landmarks(astronaut, mesh):
    image = cv2.GaussianBlur(np.random.default_rng(0).integers(0, 255, astronaut.shape, np.uint8), (0, 0), 2.0)
    target = mesh.copy()
    target[:, 0] += 6.0

    moved_image, _ = liquify(image, mesh, target, anchor_radius=LIQUIFY_RING)

    x0, y0 = np.percentile(mesh[:, :2], 30, axis=0).astype(int)
    x1, y1 = np.percentile(mesh[:, :2], 70, axis=0).astype(int)
    before = image[y0:y1, x0 - 12 : x1 + 12, 0].astype(np.float32)
    after = moved_image[y0:y1, x0:x1, 0].astype(np.float32)
    # The inner face now shows what was this many pixels to its left.
    errors = {shift: float(np.abs(after - before[:, 12 - shift : 12 - shift + after.shape[1]]).mean())
              for shift in range(-10, 11)}
    assert min(errors, key=errors.get) == 6


def test_an_edge_just_outside_the_outline_stays_smooth(astronaut, mesh):
    """The template's cheek edge lies near the mesh's outline, rarely on it: moved piecewise-affine
    with the outline's landmarks it bent at each of them (a jagged jaw against dark hair)."""
    centre = mesh[FACE_OVAL, :2].mean(axis=0)
    image = np.full(astronaut.shape, 200, np.uint8)
    edge = centre + 1.12 * (mesh[FACE_OVAL, :2] - centre)
    cv2.polylines(image, [np.round(edge * 16).astype(np.int32)], True, (40, 40, 40), 3, cv2.LINE_AA, shift=4)
    target = mesh.copy()
    outward = (mesh[FACE_OVAL, :2] - centre) / np.linalg.norm(mesh[FACE_OVAL, :2] - centre, axis=1, keepdims=True)
    target[FACE_OVAL, :2] += 5.0 * outward * np.where(np.arange(len(FACE_OVAL)) % 2, -1.0, 1.0)[:, None]

    moved_image, _ = liquify(image, mesh, target, anchor_radius=LIQUIFY_RING)

    ys, xs = np.nonzero(moved_image[:, :, 0] < 120)
    angle = np.arctan2(ys - centre[1], xs - centre[0])
    radius = np.hypot(ys - centre[1], xs - centre[0])
    bins = np.digitize(angle, np.linspace(-np.pi, np.pi, 121))
    radii = np.array([np.median(radius[bins == b]) for b in range(1, 121) if (bins == b).any()])
    bend = np.abs(radii[:-2] - 2 * radii[1:-1] + radii[2:])
    assert float(bend.max()) < 2.5  # px; piecewise-affine, 3.4


def test_masks_stacked_past_four_channels_move_with_the_image(astronaut, mesh):
    # The template with its glasses and hands: five channels, more than OpenCV remaps at once.
    image = np.dstack([astronaut, astronaut[:, :, :2]])
    target = mesh.copy()
    target[:, 0] += 6.0

    moved_image, _ = liquify(image, mesh, target, anchor_radius=LIQUIFY_RING)
    moved_rgb, _ = liquify(astronaut, mesh, target, anchor_radius=LIQUIFY_RING)

    assert np.array_equal(moved_image[:, :, :3], moved_rgb)
    assert np.array_equal(moved_image[:, :, 3:], moved_rgb[:, :, :2])
