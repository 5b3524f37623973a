"""ID photos of real people from ../shared/data: every standard size exact at 300 dpi, the head
inside each rule's band (measured afresh on the output), the asked background, and refusals of
photos that cannot make a compliant ID photo."""
from __future__ import annotations

import numpy as np
import pytest

from engine import imaging
from engine.errors import EngineError, ErrorCode
from engine.faces import analyze_faces, landmarks
from engine.idphoto import SIZES, idphoto_create
from engine.idphoto.framing import head_geometry
from tests.engine.idphoto_measure import head_fraction
from tests.images import encoded

# One clear frontal face each (obama smiles: drafts, the framing is what is tested here).
# john_simm/1 (a 150 px chip cut at the forehead) cannot be framed at all.
PEOPLE = ["obama/1.jpg", "kit_harington/1.jpeg", "mark_zuckerberg/1.jpg"]
EXPECTED_PX = {"1inch": (295, 413), "2inch": (413, 579), "passport": (413, 531), "us": (600, 600)}
# A different background for each size, so every colour is seen on every person.
BACKGROUND = {"1inch": ("white", (255, 255, 255)), "2inch": ("blue", (0x43, 0x8E, 0xDB)),
              "passport": ("red", (0xD9, 0x00, 0x1B)), "us": ("#10a020", (0x10, 0xA0, 0x20))}
# Largest difference per channel allowed in the background patches; measured: 0 in all of them.
BACKGROUND_TOLERANCE = 6


@pytest.fixture(scope="module")
def made(shared_data):
    """``made(person, size)``: the ID photo, made once a module."""
    cache = {}

    def make(person: str, size: str):
        if (person, size) not in cache:
            photo = (shared_data / "faces" / person).read_bytes()
            cache[person, size] = idphoto_create(photo, size=size, background=BACKGROUND[size][0], draft=True)
        return cache[person, size]

    return make


@pytest.mark.parametrize("size", sorted(EXPECTED_PX))
@pytest.mark.parametrize("person", PEOPLE)
def test_shared_photo_gives_the_exact_size_at_300_dpi(made, person, size):
    photo = made(person, size)

    assert (photo.width, photo.height) == EXPECTED_PX[size]
    assert photo.image.shape == (EXPECTED_PX[size][1], EXPECTED_PX[size][0], 3)
    assert photo.dpi == 300


@pytest.mark.parametrize("size", sorted(EXPECTED_PX))
@pytest.mark.parametrize("person", PEOPLE)
def test_shared_photo_head_is_inside_the_rules_band(made, person, size):
    photo = made(person, size)
    head = head_fraction(photo.image)

    assert SIZES[size].head_min <= head <= SIZES[size].head_max


@pytest.mark.parametrize("size", sorted(EXPECTED_PX))
@pytest.mark.parametrize("person", PEOPLE)
def test_shared_photo_background_is_the_asked_colour(made, person, size):
    photo = made(person, size)
    image, side = photo.image.astype(int), max(8, photo.width // 30)
    quarter = photo.height // 4
    # The top corners and both sides a quarter down: background on any head-and-shoulders framing.
    patches = [image[:side, :side], image[:side, -side:], image[quarter : quarter + side, :side],
               image[quarter : quarter + side, -side:]]

    for patch in patches:
        assert np.abs(patch.reshape(-1, 3) - BACKGROUND[size][1]).max() <= BACKGROUND_TOLERANCE


def test_shared_us_photo_eye_line_is_inside_its_band(made):
    low, high = SIZES["us"].eye_line
    for person in PEOPLE:
        photo = made(person, "us")
        (face,) = analyze_faces(photo.image, embed=False)

        assert low <= head_geometry(face.points).eyes[1] / photo.height <= high, person


def test_shared_turned_head_is_refused_saying_so(shared_data):
    with pytest.raises(EngineError) as refused:
        idphoto_create((shared_data / "faces/obama/4.jpg").read_bytes(), size="passport")

    assert refused.value.code == ErrorCode.NO_USABLE_PHOTO
    assert "turned" in refused.value.message


def test_shared_photo_cut_at_the_forehead_is_refused_saying_so(shared_data):
    rgb = imaging.decode((shared_data / "faces/mark_zuckerberg/1.jpg").read_bytes()).rgb
    (face,) = analyze_faces(rgb, embed=False)
    forehead = int(face.points[landmarks.FOREHEAD, 1])

    with pytest.raises(EngineError) as refused:
        idphoto_create(encoded(rgb[forehead:], "PNG"), size="passport", draft=True)

    assert refused.value.code == ErrorCode.NO_USABLE_PHOTO
    assert "top of the head" in refused.value.message
