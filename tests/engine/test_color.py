"""engine.color.transfer_lab: the skin takes the template's colour; what has no colour keeps none."""
from __future__ import annotations

import numpy as np
import pytest

from engine.color import lab_stats, transfer_lab

BROWN_SKIN, DARK_BROW = (45.0, 15.0, 22.0), (20.0, 1.0, 2.0)
PALE_PINK = (np.array([75.0, 12.0, 8.0], np.float32), np.array([4.0, 2.0, 2.0], np.float32))


@pytest.fixture
def face() -> tuple[np.ndarray, np.ndarray]:
    """A brown face (with some spread) and a dark brow on it: LAB, and the skin's mask."""
    lab = np.empty((40, 40, 3), np.float32)
    lab[:] = BROWN_SKIN
    lab += np.random.default_rng(0).normal(0, 3, (40, 40, 3))
    lab[:8, :20] = DARK_BROW
    skin = np.full((40, 40), 255, np.uint8)
    skin[:8, :20] = 0
    return lab, skin


def test_the_skin_takes_the_template_s_mean_colour(face):
    lab, skin = face

    mean, _ = lab_stats(transfer_lab(lab, skin, PALE_PINK), skin)

    assert mean == pytest.approx(PALE_PINK[0], abs=0.5)


def test_a_grey_brow_does_not_turn_blue_on_paler_skin(face):
    lab, skin = face

    brow = transfer_lab(lab, skin, PALE_PINK)[:8, :20].reshape(-1, 3).mean(axis=0)

    # Shifted by the difference of the skins' means it would be at b = 2 - 14 = -12 (teal).
    assert np.hypot(brow[1], brow[2]) < 3.0 and brow[2] > -2.0
