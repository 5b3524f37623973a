"""Sample photos that need no download: scikit-image's astronaut (one face), cameraman (one
small, turned face) and coffee (no face), encoded to PNG bytes in memory.

The astronaut and the cameraman are pixel for pixel ../shared/data's faces/eileen_collins/1.png
and edge_cases/cameraman.png, so these tests see what the shared-data tests would.

For avatars and portraits: matplotlib's photo of Grace Hopper (a one-face template, installed
with the pins), the astronaut's one-photo avatar, avatars of ../shared/data people built once a
session, and an independent measure of a portrait's face.
"""
from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

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


# --- Avatars, templates and an independent measure of portraits (test_identity, test_portrait,
# test_options, test_cli) -------------------------------------------------------------------------


def _matplotlib_sample(name: str) -> Path | None:
    # matplotlib is pinned (mediapipe needs it) and ships a real photo of Grace Hopper: a
    # single-face template that needs no download. find_spec locates it without importing it.
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / name
    return path if path.is_file() else None


@pytest.fixture(scope="session")
def grace_hopper_path() -> Path:
    path = _matplotlib_sample("grace_hopper.jpg")
    if path is None:
        pytest.skip("matplotlib's sample photo grace_hopper.jpg is not installed")
    return path


@pytest.fixture(scope="session")
def grace_hopper_jpg(grace_hopper_path) -> bytes:
    """A 512 x 600 photo of one woman (not the astronaut): the core set's template."""
    return grace_hopper_path.read_bytes()


@pytest.fixture(scope="session")
def astronaut_avatar(astronaut_png):
    """A train-free avatar: the astronaut's one photo, built in memory."""
    from engine.identity import avatar_build

    avatar, _ = avatar_build([astronaut_png], names=["astronaut.png"])
    return avatar


@dataclass
class Built:
    """What avatar_build gave for one person's photos of ../shared/data, and what it reported."""

    avatar: object
    checks: list
    names: list[str]
    progress: list[float]


def person_photos(data_dir: Path, person: str) -> list[Path]:
    return sorted((data_dir / "faces" / person).iterdir(), key=lambda p: int(p.stem))


@pytest.fixture(scope="session")
def built_avatar(shared_data):
    """``built_avatar(person)``: the avatar of all of a person's photos, built once a session."""
    from engine.identity import avatar_build

    cache: dict[str, Built] = {}

    def build(person: str) -> Built:
        if person not in cache:
            paths = person_photos(shared_data, person)
            names = [p.name for p in paths]
            progress: list[float] = []
            avatar, checks = avatar_build([p.read_bytes() for p in paths], names=names, on_progress=progress.append)
            cache[person] = Built(avatar, checks, names, progress)
        return cache[person]

    return build


def overlap(a, b) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@pytest.fixture(scope="session")
def face_at():
    """``face_at(rgb, box)``: the face found in ``rgb`` (fresh analysis, with its embedding) that
    overlaps ``box`` most; fails the test when none overlaps it. This is how tests measure a
    portrait independently of the identity_distance the engine reports."""
    from engine.faces import analyze_faces

    def find(rgb: np.ndarray, box):
        faces = [face for face in analyze_faces(rgb) if face.embedding is not None]
        best = max(faces, key=lambda face: overlap(face.box, box), default=None)
        assert best is not None and overlap(best.box, box) > 0.5, f"no face found over {box} in the portrait"
        return best

    return find


@pytest.fixture(scope="session")
def outside_box():
    """``outside_box(shape, box, grow)``: mask of the pixels outside ``box`` grown ``grow`` times
    about its centre."""

    def mask(shape, box, grow: float) -> np.ndarray:
        x0, y0, x1, y1 = box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = (x1 - x0) * grow / 2, (y1 - y0) * grow / 2
        outside = np.ones(shape[:2], bool)
        top, left = max(int(np.floor(cy - half_h)), 0), max(int(np.floor(cx - half_w)), 0)
        outside[top : int(np.ceil(cy + half_h)) + 1, left : int(np.ceil(cx + half_w)) + 1] = False
        return outside

    return mask
