"""Sample photos that need no download: scikit-image's astronaut (one face), cameraman (one
small, turned face) and coffee (no face), encoded to PNG bytes in memory.

The astronaut and the cameraman are pixel for pixel ../shared/data's faces/eileen_collins/1.png
and edge_cases/cameraman.png, so these tests see what the shared-data tests would.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    return data.astronaut()


@pytest.fixture(scope="session")
def astronaut_png(astronaut) -> bytes:
    return png(astronaut)


@pytest.fixture(scope="session")
def cameraman_png() -> bytes:
    return png(data.camera())


@pytest.fixture(scope="session")
def coffee_png() -> bytes:
    return png(data.coffee())


@pytest.fixture(scope="session")
def encode_png():
    """The PNG encoder, for tests that build their own pixels."""
    return png
