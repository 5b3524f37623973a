"""ID photos: exact sizes and dpi, the head inside each rule's band, the asked background, print
sheets, the upload version, the backend's default, and refusals of what cannot be framed.

The astronaut smiles with her mouth open: she fails the compliance checks, so these framing tests
ask for drafts (test_idphoto_compliance.py is about the checks)."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from skimage import data

from engine.errors import EngineError, ErrorCode
from engine.faces import analyze_faces
from engine.idphoto import SIZES, idphoto_create
from engine.idphoto.framing import head_geometry
from tests.engine.idphoto_measure import head_fraction
from tests.images import encoded

EXPECTED_PX = {"1inch": (295, 413), "2inch": (413, 579), "passport": (413, 531), "us": (600, 600)}


@pytest.fixture(scope="module")
def astronaut() -> bytes:
    return encoded(data.astronaut(), "PNG")


@pytest.mark.parametrize("size", sorted(EXPECTED_PX))
def test_standard_size_is_exact_with_head_in_band(astronaut, size):
    photo = idphoto_create(astronaut, size=size, draft=True)
    assert (photo.width, photo.height) == EXPECTED_PX[size]
    assert photo.image.shape == (EXPECTED_PX[size][1], EXPECTED_PX[size][0], 3)
    assert photo.dpi == 300
    head = head_fraction(photo.image)
    assert SIZES[size].head_min <= head <= SIZES[size].head_max


def test_the_id_photo_says_how_much_of_the_given_face_it_kept(astronaut):
    photo = idphoto_create(astronaut, draft=True)

    assert photo.identity_distance is not None and photo.identity_distance < 0.3


def test_us_eye_line_inside_its_band(astronaut):
    photo = idphoto_create(astronaut, size="us", draft=True)
    eyes_from_top = head_geometry(analyze_faces(photo.image, embed=False)[0].points).eyes[1] / photo.height
    low, high = SIZES["us"].eye_line
    assert low <= eyes_from_top <= high


def test_custom_size_in_mm_at_300_dpi(astronaut):
    photo = idphoto_create(astronaut, size="33x48mm", draft=True)
    assert (photo.width, photo.height) == (390, 567)


@pytest.mark.parametrize(("background", "rgb"), [("white", (255, 255, 255)), ("blue", (0x43, 0x8E, 0xDB)), ("#10a020", (0x10, 0xA0, 0x20))])
def test_background_is_the_asked_colour(shared_data, background, rgb):
    photo = idphoto_create((shared_data / "faces/obama/1.jpg").read_bytes(), size="passport", background=background, draft=True)
    corners = np.array([photo.image[3, 3], photo.image[3, -4], photo.image[photo.height // 4, 3], photo.image[photo.height // 4, -4]], int)
    assert np.abs(corners - np.array(rgb)).max() <= 6


def test_tiny_turned_face_cannot_be_framed_even_as_a_draft(shared_data):
    with pytest.raises(EngineError) as refused:
        idphoto_create((shared_data / "edge_cases/cameraman.png").read_bytes(), draft=True)
    assert refused.value.code == ErrorCode.IMAGE_TOO_SMALL


def test_cut_off_top_of_head_is_refused(shared_data):
    rgb = np.asarray(Image.open(shared_data / "faces/obama/1.jpg").convert("RGB"))[150:]
    with pytest.raises(EngineError) as refused:
        idphoto_create(encoded(rgb, "PNG"))
    assert refused.value.code == ErrorCode.NO_USABLE_PHOTO
    assert "top of the head" in refused.value.message


def test_face_off_the_side_is_refused(shared_data):
    with pytest.raises(EngineError) as refused:
        idphoto_create((shared_data / "edge_cases/obama_partial_face.jpg").read_bytes())
    assert "side of the photo" in refused.value.message


def test_photo_without_a_face_is_refused():
    with pytest.raises(EngineError) as refused:
        idphoto_create(encoded(data.coffee(), "PNG"))
    assert refused.value.code == ErrorCode.NO_FACE


@pytest.mark.parametrize("option", [{"size": "3x4"}, {"background": "pink"}])
def test_bad_size_or_background_is_an_invalid_option(astronaut, option):
    with pytest.raises(EngineError) as refused:
        idphoto_create(astronaut, **option)
    assert refused.value.code == ErrorCode.INVALID_OPTION


def test_sheet_is_6x4_inches_with_several_copies(astronaut):
    sheet = idphoto_create(astronaut, size="1inch", sheet=True, draft=True)
    assert (sheet.width, sheet.height) == (1800, 1200)
    assert len(analyze_faces(sheet.image, embed=False)) >= 8


def test_a6_sheet_is_148x105_mm_at_300_dpi_with_several_copies(astronaut):
    sheet = idphoto_create(astronaut, size="passport", sheet="a6", draft=True)
    assert (sheet.width, sheet.height) == (1748, 1240)
    assert sheet.photo.shape == (531, 413, 3)
    assert len(analyze_faces(sheet.image, embed=False)) >= 4


def test_sheet_has_grey_cut_lines_between_the_copies(astronaut):
    sheet = idphoto_create(astronaut, size="1inch", sheet="6x4", draft=True).image
    grey_rows = np.flatnonzero((sheet == 150).all(axis=2).mean(axis=1) > 0.99)
    assert len(grey_rows) >= 3  # above, between and below the rows of copies


def test_unknown_sheet_is_an_invalid_option(astronaut):
    with pytest.raises(EngineError) as refused:
        idphoto_create(astronaut, sheet="a4", draft=True)
    assert refused.value.code == ErrorCode.INVALID_OPTION


def test_us_photo_has_a_600_px_upload_version_under_240_kb(astronaut):
    photo = idphoto_create(astronaut, size="us", draft=True)
    upload = photo.upload_jpeg()
    with Image.open(io.BytesIO(upload)) as opened:
        assert opened.size == (600, 600) and opened.format == "JPEG"
    assert len(upload) <= 240_000


def test_passport_photo_has_no_upload_version(astronaut):
    assert idphoto_create(astronaut, size="passport", draft=True).upload_jpeg() is None


def test_backend_by_default_makes_a_smiling_face_as_a_draft_marked_not_compliant(astronaut):
    from engine.backends import get_backend

    photo = get_backend().idphoto(astronaut, size="passport")
    assert not photo.compliant and "mouth_closed" in [check.name for check in photo.compliance.failed]


def test_backend_asked_for_no_draft_refuses_a_smiling_face_with_its_checks(astronaut):
    from engine.backends import IdPhotoRefused, get_backend

    with pytest.raises(IdPhotoRefused) as refused:
        get_backend().idphoto(astronaut, size="passport", draft=False)
    assert refused.value.code == ErrorCode.NO_USABLE_PHOTO
    assert "close your mouth" in refused.value.message.lower()


def test_command_line_writes_a_300_dpi_jpeg(astronaut, tmp_path, capsys):
    from engine.__main__ import main

    (tmp_path / "in.png").write_bytes(astronaut)
    out = tmp_path / "id.jpg"

    status = main(["idphoto", str(tmp_path / "in.png"), "--size", "passport", "--background", "red",
                   "--out", str(out), "--draft", "--json"])

    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["path"] == result["output"] == str(out)
    with Image.open(out) as written:
        assert written.size == (413, 531) and round(written.info["dpi"][0]) == 300
    assert (result["width"], result["height"], result["dpi"]) == (413, 531, 300)
