"""engine.options: the seeds' ``configure`` keys, and what each option does to a real portrait."""
from __future__ import annotations

import numpy as np
import pytest

from engine import imaging
from engine.check import SAME_PERSON_THRESHOLD
from engine.errors import EngineError, ErrorCode
from engine.faces import analyze_faces, distance
from engine.options import DIFFUSION_ONLY, PortraitOptions, coerce_cli_value
from engine.portrait import portrait_create, template_canvas

# What the PAI SDK examples send: every create option at its documented default (api-compat.md 1).
PAI_DEFAULTS = {
    "lora_weights": 0.9, "first_diffusion_steps": 50, "first_denoising_strength": 0.45,
    "second_diffusion_steps": 20, "second_denoising_strength": 0.30, "more_like_me_before": 0.5,
    "more_like_me": 0.5, "mask_region": "edge", "crop_face_preprocess": True,
    "apply_face_fusion_before": True, "apply_face_fusion_after": True, "color_shift_middle": True,
    "color_shift_last": True, "background_restore": False, "skin_retouching_bool": False,
    "photo_enhancement_bool": True, "photo_enhancement_method": "photo_fix", "makeup_transfer": False,
    "makeup_transfer_ratio": 0.5, "face_shape_match": False, "ipa_control": False, "ipa_control_only": False,
    "ipa_weight": 0.5, "style_name": "Realistic", "lcm_accelerate": False, "sharp_ratio": 0.15,
}
DIFFUSION_NON_DEFAULTS = {
    "lora_weights": 0.7, "first_diffusion_steps": 30, "first_denoising_strength": 0.6,
    "second_diffusion_steps": 30, "second_denoising_strength": 0.5, "apply_face_fusion_before": False,
    "apply_face_fusion_after": False, "background_restore": True, "ipa_control": True, "ipa_weight": 0.8,
    "lcm_accelerate": True, "t2i_prompt": "a man in a suit", "scene_id": "beach",
}


def parse_error(raw: dict) -> EngineError:
    with pytest.raises(EngineError) as caught:
        PortraitOptions.parse(raw)
    return caught.value


# --- parsing -----------------------------------------------------------------------------------


def test_options_missing_configure_gives_the_defaults():
    assert PortraitOptions.parse(None) == PortraitOptions.parse({}) == PortraitOptions()


def test_options_pai_default_dictionary_is_accepted_as_the_defaults():
    assert PortraitOptions.parse(PAI_DEFAULTS) == PortraitOptions()


@pytest.mark.parametrize("key", sorted(DIFFUSION_ONLY))
def test_options_diffusion_only_option_at_its_default_is_accepted(key):
    default, _ = DIFFUSION_ONLY[key]

    assert PortraitOptions.parse({key: default}) == PortraitOptions()


@pytest.mark.parametrize("key", sorted(DIFFUSION_NON_DEFAULTS))
def test_options_diffusion_only_option_changed_is_refused_naming_the_diffusion_backend(key):
    error = parse_error({key: DIFFUSION_NON_DEFAULTS[key]})

    assert error.code == ErrorCode.UNSUPPORTED_OPTION
    assert "diffusion" in error.message and key in error.message


def test_options_diffusion_only_option_with_an_impossible_value_is_invalid():
    assert parse_error({"lora_weights": 3.0}).code == ErrorCode.INVALID_OPTION


def test_options_unknown_key_is_refused_by_name():
    error = parse_error({"more_like_you": 0.5})

    assert error.code == ErrorCode.INVALID_OPTION
    assert "more_like_you" in error.message


@pytest.mark.parametrize("value", [1.5, -0.1, "0.5", True, None])
def test_options_more_like_me_outside_0_to_1_or_not_a_number_is_refused(value):
    error = parse_error({"more_like_me": value})

    assert error.code == ErrorCode.INVALID_OPTION
    assert "more_like_me" in error.message


@pytest.mark.parametrize("value", [0, 1, 0.25])
def test_options_more_like_me_from_0_to_1_is_accepted(value):
    assert PortraitOptions.parse({"more_like_me": value}).more_like_me == value


def test_options_anime_style_is_accepted():
    assert PortraitOptions.parse({"style_name": "Anime"}).style_name == "Anime"


def test_options_unknown_style_is_invalid():
    assert parse_error({"style_name": "Cartoon"}).code == ErrorCode.INVALID_OPTION


def test_options_unknown_mask_region_is_invalid():
    assert parse_error({"mask_region": "hair"}).code == ErrorCode.INVALID_OPTION


def test_options_unknown_enhancement_method_is_invalid():
    assert parse_error({"photo_enhancement_method": "gfpgan"}).code == ErrorCode.INVALID_OPTION


def test_options_switch_given_as_a_string_is_invalid():
    error = parse_error({"skin_retouching_bool": "true"})

    assert error.code == ErrorCode.INVALID_OPTION
    assert "skin_retouching_bool" in error.message


def test_options_platform_keys_of_train_free_requests_are_let_through():
    raw = {"ipa_control_only": True, "ipa_image_path": "http://example.com/me.jpg", "sex": "female"}

    assert PortraitOptions.parse(raw) == PortraitOptions()


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("False", False), ("0", 0), ("0.3", 0.3), ("face", "face")]
)
def test_options_command_line_values_read_as_json_would(text, value):
    coerced = coerce_cli_value(text)

    assert coerced == value and type(coerced) is type(value)


# --- each option on a real portrait: the astronaut into Grace Hopper ----------------------------
# likeness_search is off on both sides of each comparison: it tries a second setting (full face
# shape) and keeps the closer portrait, which could hide what the one option changed.

TOGGLES = {
    "skin_retouching_bool": True,
    "makeup_transfer": True,
    "mask_region": "face",
    "face_shape_match": True,
    "color_shift_middle": False,
    "color_shift_last": False,
    "crop_face_preprocess": False,
    "sharp_ratio": 0,
    "photo_enhancement_bool": False,
    "more_like_me": 1.0,
    "more_like_me_before": 1.0,
}


@pytest.fixture(scope="module")
def hopper(grace_hopper_jpg) -> np.ndarray:
    """Grace Hopper's photo as portraits are made on it: enlarged to 1024 px."""
    return template_canvas(imaging.decode(grace_hopper_jpg).rgb)


@pytest.fixture(scope="module")
def portrait_with(hopper, astronaut_avatar):
    """``portrait_with(**options)``: the first portrait with those options, made once a module."""
    cache = {}

    def make(**raw):
        key = tuple(sorted(raw.items()))
        if key not in cache:
            options = PortraitOptions.parse({"likeness_search": False, **raw})
            cache[key] = portrait_create(hopper, [astronaut_avatar], options=options)[0].image
        return cache[key]

    return make


@pytest.fixture(scope="module")
def hopper_face_box(hopper):
    (face,) = analyze_faces(hopper, embed=False)
    return face.box


@pytest.mark.parametrize("key", sorted(TOGGLES))
def test_option_changes_the_portrait(portrait_with, hopper, key):
    image = portrait_with(**{key: TOGGLES[key]})

    assert image.shape == hopper.shape and image.dtype == np.uint8
    assert not np.array_equal(image, portrait_with())


@pytest.mark.parametrize("key", sorted(TOGGLES))
def test_option_keeps_the_avatars_identity(portrait_with, hopper_face_box, face_at, astronaut_avatar, key):
    face = face_at(portrait_with(**{key: TOGGLES[key]}), hopper_face_box)

    assert distance(face.embedding, astronaut_avatar.mean_embedding) < SAME_PERSON_THRESHOLD


def test_option_super_resolution_doubles_the_portrait_size(portrait_with, hopper):
    image = portrait_with(photo_enhancement_method="super_resolution")

    assert image.shape == (2 * hopper.shape[0], 2 * hopper.shape[1], 3)


def test_option_super_resolution_keeps_the_avatars_identity(portrait_with, hopper_face_box, face_at, astronaut_avatar):
    box = tuple(2 * v for v in hopper_face_box)

    face = face_at(portrait_with(photo_enhancement_method="super_resolution"), box)

    assert distance(face.embedding, astronaut_avatar.mean_embedding) < SAME_PERSON_THRESHOLD


def test_option_photo_enhancement_off_ignores_super_resolution(portrait_with, hopper):
    image = portrait_with(photo_enhancement_bool=False, photo_enhancement_method="super_resolution")

    assert image.shape == hopper.shape
