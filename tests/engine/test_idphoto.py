"""ID photos: exact sizes and dpi, the head inside each rule's band, the asked background, and
refusals that say why."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from engine.errors import EngineError, ErrorCode
from engine.faces import analyze_faces
from engine.idphoto import SIZES, idphoto_create
from engine.idphoto.compose import head_geometry
from tests.engine.idphoto_measure import head_fraction

EXPECTED_PX = {"1inch": (295, 413), "2inch": (413, 579), "passport": (413, 531), "us": (600, 600)}


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def astronaut() -> bytes:
    return _png(data.astronaut())


@pytest.mark.parametrize("size", sorted(EXPECTED_PX))
def test_standard_size_is_exact_with_head_in_band(astronaut, size):
    photo = idphoto_create(astronaut, size=size)
    assert (photo.width, photo.height) == EXPECTED_PX[size]
    assert photo.image.shape == (EXPECTED_PX[size][1], EXPECTED_PX[size][0], 3)
    assert photo.dpi == 300
    head = head_fraction(photo.image)
    assert SIZES[size].head_min <= head <= SIZES[size].head_max


def test_us_eye_line_inside_its_band(astronaut):
    photo = idphoto_create(astronaut, size="us")
    eyes_from_top = head_geometry(analyze_faces(photo.image, embed=False)[0].points).eyes[1] / photo.height
    low, high = SIZES["us"].eye_line
    assert low <= eyes_from_top <= high


def test_custom_size_in_mm_at_300_dpi(astronaut):
    photo = idphoto_create(astronaut, size="33x48mm")
    assert (photo.width, photo.height) == (390, 567)


@pytest.mark.parametrize(("background", "rgb"), [("white", (255, 255, 255)), ("blue", (0x43, 0x8E, 0xDB)), ("#10a020", (0x10, 0xA0, 0x20))])
def test_background_is_the_asked_colour(shared_data, background, rgb):
    photo = idphoto_create((shared_data / "faces/obama/1.jpg").read_bytes(), size="passport", background=background)
    corners = np.array([photo.image[3, 3], photo.image[3, -4], photo.image[photo.height // 4, 3], photo.image[photo.height // 4, -4]], int)
    assert np.abs(corners - np.array(rgb)).max() <= 6


def test_turned_head_is_refused_with_the_reason(shared_data):
    with pytest.raises(EngineError) as refused:
        idphoto_create((shared_data / "edge_cases/cameraman.png").read_bytes())
    assert refused.value.code == ErrorCode.NO_USABLE_PHOTO
    assert "turned" in refused.value.message


def test_cut_off_top_of_head_is_refused(shared_data):
    rgb = np.asarray(Image.open(shared_data / "faces/obama/1.jpg").convert("RGB"))[150:]
    with pytest.raises(EngineError) as refused:
        idphoto_create(_png(rgb))
    assert refused.value.code == ErrorCode.NO_USABLE_PHOTO
    assert "top of the head" in refused.value.message


def test_face_off_the_side_is_refused(shared_data):
    with pytest.raises(EngineError) as refused:
        idphoto_create((shared_data / "edge_cases/obama_partial_face.jpg").read_bytes())
    assert "side of the photo" in refused.value.message


def test_photo_without_a_face_is_refused():
    with pytest.raises(EngineError) as refused:
        idphoto_create(_png(data.coffee()))
    assert refused.value.code == ErrorCode.NO_FACE


@pytest.mark.parametrize("option", [{"size": "3x4"}, {"background": "pink"}])
def test_bad_size_or_background_is_an_invalid_option(astronaut, option):
    with pytest.raises(EngineError) as refused:
        idphoto_create(astronaut, **option)
    assert refused.value.code == ErrorCode.INVALID_OPTION


def test_sheet_is_6x4_inches_with_several_copies(astronaut):
    sheet = idphoto_create(astronaut, size="1inch", sheet=True)
    assert (sheet.width, sheet.height) == (1800, 1200)
    assert len(analyze_faces(sheet.image, embed=False)) >= 8


def test_command_line_writes_a_300_dpi_jpeg(astronaut, tmp_path, capsys):
    from engine.__main__ import main

    (tmp_path / "in.png").write_bytes(astronaut)
    out = tmp_path / "id.jpg"

    status = main(["idphoto", str(tmp_path / "in.png"), "--size", "passport", "--background", "red",
                   "--out", str(out), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["path"] == str(out)
    with Image.open(out) as written:
        assert written.size == (413, 531) and round(written.info["dpi"][0]) == 300
    assert (result["width"], result["height"], result["dpi"]) == (413, 531, 300)