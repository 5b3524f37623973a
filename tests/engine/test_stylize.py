"""Portrait stylization on scikit-image's astronaut: every preset looks different, keeps the face,
and comes out at the seeds' size; a reference image moves the colours toward its own."""
from __future__ import annotations

import argparse
import json

import cv2
import numpy as np
import pytest

from engine.cli_stylize import add_parsers
from engine.errors import EngineError, ErrorCode
from engine.stylize import PRESETS, preset_list, stylize

# Mean absolute difference, in 0-255 levels per channel, at which two pictures look different
# at a glance. Measured on the astronaut: presets vs the photo 13-61 (oil painting and comic the
# closest, 13-16); preset vs preset 21 and up.
VISIBLY_DIFFERENT = 12.0
# The embedding's same-person threshold used across the engine.
SAME_PERSON = 0.6


@pytest.fixture(scope="module")
def styled(astronaut) -> dict[int, object]:
    return {preset.index: stylize(astronaut, style_index=preset.index) for preset in PRESETS}


def _small(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (256, 256), interpolation=cv2.INTER_AREA).astype(np.float32)


def test_there_are_eight_presets_with_index_key_and_title():
    listed = preset_list()
    assert [item["index"] for item in listed] == list(range(8))
    assert len({item["key"] for item in listed}) == 8
    assert all(item["title"] for item in listed)


def test_every_preset_differs_visibly_from_the_photo(astronaut, styled):
    original = _small(astronaut)
    for index, result in styled.items():
        assert np.abs(_small(result.image) - original).mean() > VISIBLY_DIFFERENT, PRESETS[index].key


def test_every_preset_differs_visibly_from_every_other(styled):
    small = {index: _small(result.image) for index, result in styled.items()}
    for a in small:
        for b in small:
            if a < b:
                assert np.abs(small[a] - small[b]).mean() > VISIBLY_DIFFERENT, (PRESETS[a].key, PRESETS[b].key)


def test_every_preset_keeps_the_face_recognisable(styled):
    # Measured on the astronaut: 0.13 (vintage film) to 0.59 (pop art); all under the threshold.
    for index, result in styled.items():
        assert result.identity_distance is not None, PRESETS[index].key
        assert result.identity_distance < SAME_PERSON, (PRESETS[index].key, result.identity_distance)


def test_output_has_short_side_1536_and_keeps_the_aspect_ratio(astronaut):
    wide = astronaut[64:448]  # 512 x 384
    result = stylize(wide, style_index=5)
    assert result.image.shape[:2] == (1536, 2048)
    assert result.style_key == "vintage_film"


def test_reference_style_moves_the_colours_toward_the_reference(astronaut_png, coffee_png, astronaut):
    from skimage import data

    reference = data.coffee()
    result = stylize(astronaut_png, style_index=-1, reference=coffee_png)

    def lab_mean(rgb):
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32).mean(0)

    before = np.linalg.norm(lab_mean(astronaut) - lab_mean(reference))
    after = np.linalg.norm(lab_mean(result.image) - lab_mean(reference))
    assert after < 0.3 * before
    assert result.style_key == "custom"
    assert result.identity_distance is not None and result.identity_distance < SAME_PERSON


@pytest.mark.parametrize("index", [8, -2, 100])
def test_unknown_style_index_is_an_invalid_option(astronaut, index):
    with pytest.raises(EngineError) as raised:
        stylize(astronaut, style_index=index)
    assert raised.value.code is ErrorCode.INVALID_OPTION
    assert str(index) in raised.value.message


def test_style_minus_one_without_reference_is_an_invalid_option(astronaut):
    with pytest.raises(EngineError) as raised:
        stylize(astronaut, style_index=-1)
    assert raised.value.code is ErrorCode.INVALID_OPTION


def test_undecodable_bytes_are_a_decode_error():
    with pytest.raises(EngineError) as raised:
        stylize(b"not an image", style_index=0)
    assert raised.value.code is ErrorCode.IMAGE_DECODE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_stylize_writes_the_image_and_reports_its_size(tmp_path, astronaut_png):
    photo = tmp_path / "astronaut.png"
    photo.write_bytes(astronaut_png)
    out = tmp_path / "styled.jpg"
    args = _parser().parse_args(["stylize", str(photo), "--style", "7", "--out", str(out), "--json"])
    result = args.run(args)
    assert set(result) == {"path", "width", "height", "identity_distance", "cost_time"}
    assert (result["width"], result["height"]) == (1536, 1536)
    assert out.read_bytes()[:2] == b"\xff\xd8"
    assert not list(tmp_path.glob(".*partial"))
    json.dumps(result)


def test_cli_styles_lists_the_presets():
    args = _parser().parse_args(["styles", "--json"])
    assert args.run(args) == preset_list()
