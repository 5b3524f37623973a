"""engine.check: the seeds' per-photo codes (1-6), the frontal flag and the reasons people see."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from engine import check, imaging
from engine.errors import EngineError, ErrorCode
from engine.faces.hands import hands_mask

from .glasses_drawing import draw_glasses


def resized(pixels: np.ndarray, side: int) -> np.ndarray:
    return np.asarray(Image.fromarray(pixels).resize((side, side), Image.Resampling.LANCZOS))


@pytest.fixture(scope="module")
def astronaut_check(astronaut_png) -> dict:
    return check.check_photo(astronaut_png).as_dict()


@pytest.fixture(scope="module")
def cameraman_check(cameraman_png) -> dict:
    return check.check_photo(cameraman_png).as_dict()


def test_check_passes_a_good_photo_as_code_1(astronaut_check):
    assert (astronaut_check["code"], astronaut_check["message"]) == (1, "success")
    assert astronaut_check["frontal"] is True


def test_check_marks_bytes_that_are_not_an_image_as_code_2():
    result = check.check_photo(b"%PDF-1.7 not a photo").as_dict()

    assert (result["code"], result["message"]) == (2, "Image decode error.")
    assert result["reason_keys"] == ["decode"]


def test_check_marks_photo_without_face_as_code_3(coffee_png):
    result = check.check_photo(coffee_png).as_dict()

    assert (result["code"], result["message"]) == (3, "Number of face is not 1.")
    assert result["reasons"][0] == "No face was found."


def test_check_marks_photo_with_two_faces_as_code_3(astronaut, encode_png):
    result = check.check_photo(encode_png(np.hstack([astronaut, astronaut]))).as_dict()

    assert result["code"] == 3
    assert result["reasons"][0].startswith("2 faces were found")


def test_check_marks_turned_head_as_not_frontal(cameraman_check):
    # skimage's cameraman is ../shared/data/edge_cases/cameraman.png: head turned about 50 degrees.
    assert cameraman_check["code"] == 1
    assert cameraman_check["frontal"] is False
    assert "turned" in cameraman_check["reason_keys"]


def test_check_flags_face_under_128_px_as_small(astronaut_check):
    # The astronaut's face is about 108 px in the 512 px picture.
    assert "face_small" in astronaut_check["reason_keys"]


def test_check_does_not_flag_face_over_128_px(astronaut, encode_png):
    result = check.check_photo(encode_png(resized(astronaut, 1024))).as_dict()

    assert result["code"] == 1
    assert "face_small" not in result["reason_keys"]


def test_check_flags_tiny_photo_as_low_resolution(astronaut, encode_png):
    result = check.check_photo(encode_png(resized(astronaut, 200))).as_dict()

    assert "resolution_low" in result["reason_keys"]


def test_check_notes_a_scaled_down_photo_without_calling_it_a_problem(astronaut):
    buffer = io.BytesIO()
    Image.fromarray(resized(astronaut, 2400)).save(buffer, "JPEG", quality=90)

    result = check.check_photo(buffer.getvalue()).as_dict()

    assert result["code"] == 1
    assert result["notes"] == ["The photo is 2400x2400 px; it is scaled down to 2048 px."]
    assert "resolution_high" not in result["reason_keys"]
    assert not any("scaled down" in text for text in result["reasons"])


def test_check_has_no_notes_for_a_photo_used_as_it_is(astronaut_check):
    assert astronaut_check["notes"] == []


def test_check_marks_cameraman_among_astronaut_photos_as_code_6(astronaut, astronaut_png, cameraman_png, encode_png):
    photos = [astronaut_png, encode_png(np.ascontiguousarray(astronaut[:, ::-1])), encode_png(resized(astronaut, 700)), cameraman_png]

    codes = [result.code for result in check.check_photos(photos)]

    assert codes == [1, 1, 1, 6]


def test_check_reports_progress_up_to_1(coffee_png):
    progress: list[float] = []

    check.check_photos([coffee_png, coffee_png], on_progress=progress.append)

    assert progress == [0.5, 1.0]


def test_require_usable_refuses_when_no_photo_passes(coffee_png):
    results = check.check_photos([coffee_png, b"not an image"])

    with pytest.raises(EngineError) as caught:
        check.require_usable(results)

    assert caught.value.code == ErrorCode.NO_USABLE_PHOTO
    assert str(caught.value) == "all images are invalid"


def test_require_usable_accepts_one_passing_photo(coffee_png, astronaut_png):
    check.require_usable(check.check_photos([coffee_png, astronaut_png]))


# --- ../shared/data ---------------------------------------------------------------------------

OBAMAS = ["faces/obama/1.jpg", "faces/obama/2.jpg", "faces/obama/3.jpg", "faces/obama/4.jpg"]


@pytest.fixture(scope="module")
def obamas_and_biden(shared_data) -> list[bytes]:
    return [(shared_data / name).read_bytes() for name in [*OBAMAS, "faces/biden/1.jpg"]]


def test_check_marks_other_person_as_code_6(obamas_and_biden):
    results = [result.as_dict() for result in check.check_photos(obamas_and_biden)]

    assert [result["code"] for result in results] == [1, 1, 1, 1, 6]
    assert results[4]["message"] == "This photo is not the same person in photos."
    assert results[4]["reason_keys"][0] == "other_person"


def test_check_without_same_person_passes_other_person(obamas_and_biden):
    results = check.check_photos(obamas_and_biden, same_person=False)

    assert [result.code for result in results] == [1, 1, 1, 1, 1]


# What covers the face is told at upload; the photo still passes.

def _cover_keys(result: dict) -> list[str]:
    return [key for key in result["reason_keys"] if key in ("glasses", "sunglasses", "hand")]


def test_check_tells_spectacles_and_still_passes(shared_data):
    result = check.check_photo((shared_data / "faces/john_lennon/1.jpg").read_bytes()).as_dict()

    assert result["code"] == 1 and _cover_keys(result) == ["glasses"]


def test_check_tells_nothing_over_a_clear_face(astronaut_check):
    assert _cover_keys(astronaut_check) == []


def test_check_tells_sunglasses(shared_data, encode_png):
    rgb = imaging.decode((shared_data / "faces/obama/1.jpg").read_bytes()).rgb
    face = check.analyze_faces(rgb, limit=1)[0]
    result = check.check_photo(encode_png(draw_glasses(rgb, face.points, kind="sunglasses"))).as_dict()

    assert result["code"] == 1 and _cover_keys(result) == ["sunglasses"]


def test_check_tells_a_hand_over_the_face(shared_data, encode_png):
    # A real hand (easyphoto/5.jpg's, on the cheek's edge) moved a quarter face over the face.
    photo = check.check_photo((shared_data / "templates/easyphoto/5.jpg").read_bytes(), keep_pixels=True)
    hand = hands_mask(photo.hands, photo.rgb.shape) > 0
    rows, cols = np.nonzero(hand)
    moved = photo.rgb.copy()
    moved[rows, cols + round(0.25 * photo.face.width)] = photo.rgb[rows, cols]

    result = check.check_photo(encode_png(moved)).as_dict()

    assert result["code"] == 1 and "hand" in _cover_keys(result)


def test_check_does_not_tell_a_hand_below_the_face(shared_data):
    # The hand holds a microphone under the chin: beside the face, not over it.
    result = check.check_photo((shared_data / "faces/lin_manuel_miranda/1.png").read_bytes()).as_dict()

    assert _cover_keys(result) == []
