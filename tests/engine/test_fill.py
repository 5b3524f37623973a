"""engine.fusion.fill: a hole filled smoothly from around it, with the grain of the skin there."""
from __future__ import annotations

import cv2
import numpy as np

from engine.fusion.fill import fill_smooth


def _gradient_with_frame() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A smooth skin-like gradient, and the same with a thick dark ring drawn over it."""
    ys, xs = np.mgrid[0:200, 0:200].astype(np.float32)
    skin = np.dstack([150 + 0.3 * xs, 110 + 0.2 * ys, 90 + 0.1 * (xs + ys)]).astype(np.uint8)
    hole = np.zeros((200, 200), np.uint8)
    cv2.circle(hole, (100, 100), 50, 255, 14)
    worn = skin.copy()
    worn[hole > 0] = (20, 15, 10)
    return skin, worn, hole


def test_a_ring_over_smooth_skin_fills_back_to_the_skin():
    skin, worn, hole = _gradient_with_frame()

    filled = fill_smooth(worn, hole)

    error = np.abs(filled.astype(np.int16) - skin.astype(np.int16))[hole > 0]
    assert float(np.median(error)) < 3.0 and float(error.max()) < 20


def test_pixels_outside_the_hole_are_untouched():
    _, worn, hole = _gradient_with_frame()

    filled = fill_smooth(worn, hole)

    assert np.array_equal(filled[hole == 0], worn[hole == 0])


def test_the_fill_has_the_grain_of_the_skin_around_it():
    skin, _, hole = _gradient_with_frame()
    grainy = np.clip(skin + np.random.default_rng(1).normal(0, 6, skin.shape), 0, 255).astype(np.uint8)
    worn = grainy.copy()
    worn[hole > 0] = (20, 15, 10)

    filled = fill_smooth(worn, hole).astype(np.float32).mean(axis=2)

    detail = np.abs(filled - cv2.GaussianBlur(filled, (0, 0), 1.5))
    around = (cv2.dilate(hole, np.ones((15, 15), np.uint8)) > 0) & (hole == 0)
    inner = cv2.erode(hole, np.ones((5, 5), np.uint8)) > 0
    assert 0.5 < np.median(detail[inner]) / np.median(detail[around]) < 2.0


def test_an_empty_hole_changes_nothing():
    _, worn, _ = _gradient_with_frame()

    assert fill_smooth(worn, np.zeros(worn.shape[:2], np.uint8)) is worn


def test_lines_are_carried_only_where_asked():
    """A line carried across the hole (a brow under a spectacle frame) shows where ``lines_where``
    is 1; where it is 0 the fill is the membrane's alone (a lens's outline carried by the
    inpainting read as faint goggles)."""
    _, worn, hole = _gradient_with_frame()
    lines = worn.copy()
    lines[:, 60:64] = (40, 30, 20)  # a dark vertical line through the ring, left and right
    lines[:, 136:140] = (40, 30, 20)
    where = np.zeros(hole.shape, np.float32)
    where[:, 100:] = 1.0

    plain = fill_smooth(worn, hole).astype(np.int16)
    carried = fill_smooth(worn, hole, lines=lines, lines_width=6.0, lines_where=where).astype(np.int16)

    left, right = (hole > 0) & (np.arange(200) < 90)[None, :], (hole > 0) & (np.arange(200) > 110)[None, :]
    assert np.array_equal(carried[left], plain[left])
    assert np.abs(carried[right] - plain[right]).max() > 20
