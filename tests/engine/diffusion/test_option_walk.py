"""Every option the classic engine refuses (engine.options.DIFFUSION_ONLY) is taken by the diffusion
backend and reaches its DiffusionOptions; the create-time refusals of what a studio's models cannot
do (create_xl on SD 1.5, missing IP-Adapter or LCM-LoRA, scene_id without a generated template) are
tested with their reasons in test_creation."""
from __future__ import annotations

import pytest

from engine.backends import ClassicBackend
from engine.diffusion.options import DiffusionOptions
from engine.errors import EngineError, ErrorCode
from engine.options import DIFFUSION_ONLY

# A valid value other than the documented default, for every diffusion-only option.
OTHER_VALUES = {
    "lora_weights": 0.7, "first_diffusion_steps": 30, "first_denoising_strength": 0.6,
    "second_diffusion_steps": 10, "second_denoising_strength": 0.2, "apply_face_fusion_before": False,
    "apply_face_fusion_after": False, "background_restore": True, "ipa_control": True, "ipa_weight": 0.8,
    "lcm_accelerate": True, "t2i_prompt": "a portrait on a beach", "scene_id": "beach", "model_name": "create_xl",
}


def test_the_walk_covers_every_diffusion_only_option():
    assert set(OTHER_VALUES) == set(DIFFUSION_ONLY)


@pytest.mark.parametrize(("key", "value"), sorted(OTHER_VALUES.items()))
def test_classic_refuses_it_naming_the_diffusion_backend(key, value):
    with pytest.raises(EngineError) as refused:
        ClassicBackend().options_check({key: value})

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION and "diffusion" in refused.value.message


@pytest.mark.parametrize(("key", "value"), sorted(OTHER_VALUES.items()))
def test_diffusion_takes_it(key, value):
    assert getattr(DiffusionOptions.parse({key: value}), key) == value
