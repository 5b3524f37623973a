"""The preset template styles as prompts: every DashScope preset has one, and it reaches the
text-to-image call with the preset's person and, where installed, its style LoRA."""
from __future__ import annotations

import pytest

from engine.diffusion.presets import PRESET_PROMPTS, preset_options
from engine.errors import EngineError, ErrorCode
from studio.catalog.defaults import DASHSCOPE_TEMPLATE_STYLES


def test_every_dashscope_template_preset_has_a_prompt_of_its_person():
    for style in DASHSCOPE_TEMPLATE_STYLES:
        assert PRESET_PROMPTS[style.key].sex == ("male" if style.key.endswith("_male") else "female")


def test_a_preset_becomes_text_to_image_options():
    options = preset_options("f_business_female")

    assert options == {"t2i_prompt": PRESET_PROMPTS["f_business_female"].prompt, "sex": "female"}


def test_an_installed_style_lora_of_the_presets_key_is_its_scene(tmp_path):
    (tmp_path / "f_business_female.safetensors").write_bytes(b"")

    assert preset_options("f_business_female", scenes=tmp_path)["scene_id"] == "f_business_female"
    assert "scene_id" not in preset_options("f_business_male", scenes=tmp_path)


def test_an_unknown_preset_is_refused_naming_the_presets():
    with pytest.raises(EngineError) as error:
        preset_options("f_nothing")

    assert error.value.code == ErrorCode.INVALID_OPTION and "f_business_female" in error.value.message


def test_the_diffusion_backend_with_its_weights_makes_presets_by_prompt(tiny_models):
    from engine.diffusion.backend import DiffusionBackend
    from engine.diffusion.pipelines import ModelSet

    backend = DiffusionBackend(ModelSet(base=tiny_models, canny=tiny_models / "controlnet-canny"))

    assert backend.preset_options("f_business_male") == preset_options("f_business_male")
    assert backend.preset_options("no_such_preset") is None


def test_without_its_weights_no_backend_makes_presets_by_prompt(monkeypatch, tmp_path):
    from engine.backends import get_backend

    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))

    assert get_backend("diffusion").preset_options("f_business_male") is None
    assert get_backend("classic").preset_options("f_business_male") is None
