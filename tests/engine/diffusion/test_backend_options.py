"""What the diffusion backend accepts before any work: the create options only it honours, and
the seeds' train options (max_train_steps, val_save_checkpointing_steps) that it trains by."""
from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from engine.backends import get_backend
from engine.diffusion.backend import DiffusionBackend
from engine.diffusion.pipelines import ModelSet
from engine.diffusion.tiny import tiny_models_dir
from engine.errors import EngineError, ErrorCode


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> ModelSet:
    root = tiny_models_dir(tmp_path_factory.mktemp("tiny") / "sd15")
    return ModelSet(base=root, canny=root / "controlnet-canny")


@pytest.mark.parametrize("options", [{"lcm_accelerate": True}, {"first_diffusion_steps": 30, "lora_weights": 0.7}])
def test_diffusion_accepts_the_options_only_it_honours(options):
    get_backend("diffusion").options_check(options)


def test_classic_refuses_them_naming_the_diffusion_backend():
    with pytest.raises(EngineError) as refused:
        get_backend("classic").options_check({"lcm_accelerate": True})

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION and "diffusion" in refused.value.message


def test_diffusion_refuses_a_value_out_of_range():
    with pytest.raises(EngineError) as refused:
        get_backend("diffusion").options_check({"first_denoising_strength": 3})

    assert refused.value.code == ErrorCode.INVALID_OPTION


@pytest.mark.parametrize("steps", [0, "many", True, 10_001])
def test_a_wrong_max_train_steps_is_refused_before_any_work(models, tmp_path, astronaut_png, steps):
    with pytest.raises(EngineError) as refused:
        DiffusionBackend(models).train([astronaut_png], out=tmp_path / "a",
                                       options={"configure": {"max_train_steps": steps}})

    assert refused.value.code == ErrorCode.INVALID_OPTION and "max_train_steps" in refused.value.message


def test_training_takes_the_seeds_step_options(models, tmp_path, astronaut_png):
    progress: list[float] = []

    DiffusionBackend(models, train_resolution=64).train(
        [astronaut_png], out=tmp_path / "a", on_progress=progress.append,
        options={"model_name": "", "configure": {"max_train_steps": 2, "val_save_checkpointing_steps": 1}})

    # the LoRA's share of the progress (0.15 to 0.95) moves by half of it with each of the 2 steps
    training = [value for value in progress if 0.15 < value <= 0.95]
    assert training[0] == pytest.approx(0.15 + 0.8 / 2)
