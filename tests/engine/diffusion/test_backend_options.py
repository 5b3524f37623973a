"""What the diffusion backend accepts before any work: the create options only it honours, and
the seeds' train options (max_train_steps, val_save_checkpointing_steps) that it trains by."""
from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from engine.backends import get_backend
from engine.diffusion.backend import DiffusionBackend
from engine.diffusion.pipelines import IpAdapter, ModelSet
from engine.diffusion.tiny import tiny_models_dir
from engine.errors import EngineError, ErrorCode


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> ModelSet:
    root = tiny_models_dir(tmp_path_factory.mktemp("tiny") / "sd15")
    return ModelSet(base=root, canny=root / "controlnet-canny")


@pytest.fixture(scope="module")
def installed(models, tmp_path_factory) -> ModelSet:
    """A studio with every optional model: IP-Adapter and LCM-LoRA (the option check only asks
    whether they are installed, it loads nothing)."""
    folder = tmp_path_factory.mktemp("optional")
    return dataclasses.replace(models, ip_adapter=IpAdapter(folder, "ip-adapter_sd15.safetensors"),
                               lcm_lora=folder / "pytorch_lora_weights.safetensors")


@pytest.mark.parametrize("options", [{"lcm_accelerate": True}, {"first_diffusion_steps": 30, "lora_weights": 0.7},
                                     {"ipa_control": True, "ipa_weight": 0.7}])
def test_diffusion_accepts_the_options_only_it_honours(installed, options):
    DiffusionBackend(installed).options_check(options)


@pytest.mark.parametrize(("options", "model"), [({"lcm_accelerate": True}, "lcm-lora-sd15"),
                                                ({"ipa_control": True}, "ip-adapter-sd15"),
                                                ({"ipa_control_only": True}, "ip-adapter-sd15")])
def test_an_option_whose_model_is_not_installed_is_refused_before_any_job(models, options, model):
    with pytest.raises(EngineError) as refused:
        DiffusionBackend(models).options_check(options)

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION
    assert f"models fetch {model}" in refused.value.message


def test_an_sdxl_model_name_on_an_sd15_studio_is_refused_before_any_job(installed):
    with pytest.raises(EngineError) as refused:
        DiffusionBackend(installed).options_check({"model_name": "create_xl"})

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION and "SDXL" in refused.value.message


def test_without_the_base_model_the_classic_rules_apply_and_say_why(monkeypatch, tmp_path):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))
    backend = get_backend("diffusion")
    backend.options_check({"more_like_me": 0.8})  # the classic engine, which makes the portraits, takes it

    with pytest.raises(EngineError) as refused:
        backend.options_check({"lcm_accelerate": True})

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION
    assert "not set up here" in refused.value.message and "models fetch sd15" in refused.value.message


def test_classic_refuses_them_naming_the_diffusion_backend():
    with pytest.raises(EngineError) as refused:
        get_backend("classic").options_check({"lcm_accelerate": True})

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION and "diffusion" in refused.value.message


def test_diffusion_refuses_a_value_out_of_range(installed):
    with pytest.raises(EngineError) as refused:
        DiffusionBackend(installed).options_check({"first_denoising_strength": 3})

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


@pytest.fixture(scope="module")
def xl_installed(tmp_path_factory) -> ModelSet:
    root = tiny_models_dir(tmp_path_factory.mktemp("tiny-xl") / "sdxl", sdxl=True, controlnet=False)
    return ModelSet(base=root, canny=root / "controlnet-canny")


def test_create_xl_is_accepted_where_the_sdxl_models_are_installed(models, xl_installed):
    DiffusionBackend(models, xl_models=xl_installed).options_check({"model_name": "create_xl"})


def test_create_xl_with_ip_adapter_is_refused_for_sdxl_with_the_reason(installed, xl_installed):
    with pytest.raises(EngineError) as refused:
        DiffusionBackend(installed, xl_models=xl_installed).options_check({"model_name": "create_xl",
                                                                           "ipa_control": True})

    assert refused.value.code == ErrorCode.UNSUPPORTED_OPTION and "SD 1.5 only" in refused.value.message


def test_create_xl_with_lcm_names_the_sdxl_lcm_lora(models, xl_installed):
    with pytest.raises(EngineError) as refused:
        DiffusionBackend(models, xl_models=xl_installed).options_check({"model_name": "create_xl",
                                                                        "lcm_accelerate": True})

    assert "models fetch lcm-lora-sdxl" in refused.value.message
