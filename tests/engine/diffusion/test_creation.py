"""The diffusion creation chain on tiny random models (engine.diffusion.tiny) and real faces: it runs
end to end, and every option reaches the pipeline call (recorded by a spy around the real pipeline
class's ``__call__`` and ``set_adapters``, which still run)."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from diffusers import (
    LCMScheduler,
    StableDiffusionControlNetInpaintPipeline,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from diffusers.utils import convert_state_dict_to_diffusers
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict
from PIL import Image

from engine import imaging
from engine.diffusion.conditions import canny, second_pass_mask
from engine.diffusion.creation import diffusion_create
from engine.diffusion.options import DiffusionOptions
from engine.diffusion.pipelines import IpAdapter, ModelSet
from engine.diffusion.tiny import tiny_ip_adapter, tiny_models_dir
from engine.errors import EngineError, ErrorCode

FAST = {"first_diffusion_steps": 4, "second_diffusion_steps": 4}  # 2 and 1 denoising steps at the default strengths
WORK_SIDE = 64


def tiny_lora(base: Path, out: Path, *, seed: int) -> Path:
    """A LoRA of the tiny UNet with random (non-zero) weights, saved as diffusers saves LoRAs."""
    torch.manual_seed(seed)
    unet = UNet2DConditionModel.from_pretrained(base, subfolder="unet")
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights="gaussian",
                                target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    StableDiffusionPipeline.save_lora_weights(out.parent, unet_lora_layers=layers, weight_name=out.name)
    return out


@pytest.fixture(scope="module")
def models_root(tmp_path_factory) -> Path:
    root = tiny_models_dir(tmp_path_factory.mktemp("tiny") / "sd15")
    tiny_lora(root, root / "loras" / "alice.safetensors", seed=1)
    tiny_lora(root, root / "loras" / "bob.safetensors", seed=2)
    tiny_lora(root, root / "loras" / "lcm.safetensors", seed=3)
    return root


@pytest.fixture(scope="module")
def models(models_root) -> ModelSet:
    return ModelSet(base=models_root, canny=models_root / "controlnet-canny", lcm_lora=models_root / "loras/lcm.safetensors")


def with_lora(avatar, path: Path):
    return dataclasses.replace(avatar, meta={**avatar.meta, "lora": str(path), "lora_base": "sd15"})


@pytest.fixture(scope="module")
def template(shared_data) -> np.ndarray:
    return imaging.read(shared_data / "templates" / "easyphoto" / "1.jpg").rgb


@pytest.fixture
def avatar(built_avatar, models_root):
    return with_lora(built_avatar("biden").avatar, models_root / "loras" / "alice.safetensors")


@pytest.fixture
def spy(monkeypatch):
    """Records each pipeline call's kwargs (with the scheduler class in use) and set_adapters' arguments."""
    record = {"calls": [], "t2i": [], "adapters": []}

    def wrap(cls, key):
        original = cls.__call__

        def call(self, *args, **kwargs):
            record[key].append({**kwargs, "scheduler": type(self.scheduler)})
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__call__", call)

    wrap(StableDiffusionControlNetInpaintPipeline, "calls")
    wrap(StableDiffusionPipeline, "t2i")
    set_adapters = StableDiffusionControlNetInpaintPipeline.set_adapters

    def adapters(self, names, adapter_weights=None):
        record["adapters"].append((list(names), list(adapter_weights)))
        return set_adapters(self, names, adapter_weights=adapter_weights)

    monkeypatch.setattr(StableDiffusionControlNetInpaintPipeline, "set_adapters", adapters)
    return record


def create(template, avatars, models, options=None, n=1):
    return diffusion_create(template, avatars, options=DiffusionOptions.parse({**FAST, **(options or {})}),
                            models=models, n=n, seed=0, work_side=WORK_SIDE)


def test_creation_returns_ranked_portraits_of_the_template_size(template, avatar, models, spy):
    portraits = create(template, [avatar], models, n=2)

    assert [p.image.shape for p in portraits] == [template.shape, template.shape]
    assert portraits[0].identity_distance <= portraits[1].identity_distance
    assert {p.backend for p in portraits} == {"diffusion"}
    assert sorted(p.seed for p in portraits) == [0, 1]
    assert len(spy["calls"]) == 4  # two passes a candidate


def test_passes_receive_their_steps_strengths_canny_and_masks(template, avatar, models, spy):
    options = {"first_diffusion_steps": 6, "first_denoising_strength": 0.6,
               "second_diffusion_steps": 10, "second_denoising_strength": 0.2}
    create(template, [avatar], models, options)

    first, second = spy["calls"]
    assert (first["num_inference_steps"], first["strength"]) == (6, 0.6)
    assert (second["num_inference_steps"], second["strength"]) == (10, 0.2)
    assert (first["controlnet_conditioning_scale"], second["controlnet_conditioning_scale"]) == (0.5, 1.0)
    control, image = np.asarray(first["control_image"]), np.asarray(first["image"])
    assert np.array_equal(control, canny(image))
    first_mask, second_mask = np.asarray(first["mask_image"]) > 127, np.asarray(second["mask_image"]) > 127
    assert 0.05 < first_mask.mean() < 0.9
    assert 0 < second_mask.sum() < first_mask.sum()  # "edge": a ring, not the whole face


def test_a_pass_with_too_few_steps_for_its_strength_still_denoises_one(template, avatar, models, spy):
    create(template, [avatar], models, {"second_diffusion_steps": 2, "second_denoising_strength": 0.2})

    second = spy["calls"][1]
    assert int(second["num_inference_steps"] * second["strength"]) == 1


def test_a_pass_at_strength_zero_is_not_run(template, avatar, models, spy):
    create(template, [avatar], models, {"second_denoising_strength": 0})

    assert [call["strength"] for call in spy["calls"]] == [0.45]


def test_mask_region_face_redraws_the_middle_of_the_face_and_edge_does_not(template, avatar):
    points = avatar.reference.points
    centre = tuple(np.round(points[1, :2]).astype(int))  # the nose tip
    face = second_pass_mask(points, avatar.reference.crop.shape, "face")
    edge = second_pass_mask(points, avatar.reference.crop.shape, "edge")
    assert face[centre[1], centre[0]] == 255 and edge[centre[1], centre[0]] == 0
    assert edge.any()


def test_lora_weights_set_the_avatars_adapter_weight(template, avatar, models, spy):
    create(template, [avatar], models, {"lora_weights": 0.6})

    assert spy["adapters"] and all(call == (["avatar0"], [0.6]) for call in spy["adapters"])


def test_lcm_runs_lcm_scheduler_with_few_steps_and_low_guidance(template, avatar, models, spy):
    create(template, [avatar], models, {"lcm_accelerate": True, "first_diffusion_steps": 50})

    first = spy["calls"][0]
    assert first["scheduler"] is LCMScheduler
    assert first["num_inference_steps"] == 8 and first["guidance_scale"] <= 2.0
    assert spy["adapters"][0] == (["avatar0", "lcm"], [0.9, 1.0])


def test_lcm_leaves_the_cached_pipeline_as_it_was(template, avatar, models, spy):
    create(template, [avatar], models, {"lcm_accelerate": True})
    create(template, [avatar], models)

    assert spy["calls"][-1]["scheduler"] is not LCMScheduler
    assert spy["adapters"][-1] == (["avatar0"], [0.9])


def test_background_restore_redraws_everything_but_the_faces(template, avatar, models, spy):
    create(template, [avatar], models, {"background_restore": True})

    assert len(spy["calls"]) == 3
    assert (np.asarray(spy["calls"][0]["mask_image"]) > 127).mean() > 0.7


def test_multi_person_loads_one_adapter_per_face(shared_data, built_avatar, models, models_root, spy):
    template = imaging.read(shared_data / "multi_face" / "two_people.jpg").rgb
    left = with_lora(built_avatar("biden").avatar, models_root / "loras" / "alice.safetensors")
    right = with_lora(built_avatar("eric_clapton").avatar, models_root / "loras" / "bob.safetensors")

    portraits = create(template, [left, right], models)

    assert portraits[0].image.shape == template.shape and len(portraits[0].face_distances) == 2
    names = [names for names, _ in spy["adapters"]]
    assert names == [["avatar0"], ["avatar1"], ["avatar0"], ["avatar1"]]  # each pass, face by face


def test_text_to_image_draws_the_template_from_the_prompt(avatar, models, spy):
    # A random model draws no face, so the chain stops at the template's faces, with the clear error.
    with pytest.raises(EngineError) as error:
        create("t2i_generate", [avatar], models, {"t2i_prompt": "portrait in a garden"})

    assert error.value.code == ErrorCode.TEMPLATE_NO_FACE and "generated template" in error.value.message
    assert spy["t2i"][0]["prompt"].startswith("portrait in a garden")
    assert spy["t2i"][0]["height"] / spy["t2i"][0]["width"] == 1.5  # SD 1.5's 512 x 768, at the tests' scale


@pytest.mark.parametrize(("options", "named"), [
    ({"ipa_control": True}, "models fetch ip-adapter-sd15"),
    ({"lcm_accelerate": True}, "models fetch lcm-lora-sd15"),
])
def test_missing_weights_name_the_fetch_command(template, avatar, models, options, named):
    without = dataclasses.replace(models, lcm_lora=None)

    with pytest.raises(EngineError) as error:
        create(template, [avatar], without, options)

    assert error.value.code == ErrorCode.MODEL_MISSING and named in error.value.message


def test_avatar_without_lora_needs_the_ip_adapter(template, built_avatar, models):
    with pytest.raises(EngineError) as error:
        create(template, [built_avatar("biden").avatar], models)

    assert "train-free" in error.value.message and "models fetch ip-adapter-sd15" in error.value.message


@pytest.mark.parametrize(("options", "code"), [
    ({"t2i_prompt": "a beach"}, ErrorCode.INVALID_OPTION),  # a prompt with a real template
    ({"model_name": "create_xl"}, ErrorCode.UNSUPPORTED_OPTION),  # SDXL on an SD 1.5 studio
    ({"lora_weights": 2.0}, ErrorCode.INVALID_OPTION),
])
def test_options_this_studio_cannot_honour_are_refused_with_the_reason(template, avatar, models, options, code):
    with pytest.raises(EngineError) as error:
        create(template, [avatar], models, options)

    assert error.value.code == code


@pytest.fixture(scope="module")
def ip_models(models, models_root, tmp_path_factory) -> ModelSet:
    """The tiny models with a tiny random IP-Adapter (CLIP vision encoder and image projection)."""
    folder = tiny_ip_adapter(models_root, tmp_path_factory.mktemp("ip-adapter-sd15"))
    return dataclasses.replace(models, ip_adapter=IpAdapter(folder, "ip-adapter_sd15.safetensors"))


@pytest.fixture
def ip_scales(monkeypatch) -> list:
    """The scales set_ip_adapter_scale received (the real method still runs)."""
    scales: list = []
    original = StableDiffusionControlNetInpaintPipeline.set_ip_adapter_scale

    def record(self, scale):
        scales.append(scale)
        return original(self, scale)

    monkeypatch.setattr(StableDiffusionControlNetInpaintPipeline, "set_ip_adapter_scale", record)
    return scales


def test_ipa_control_gives_every_pass_the_avatars_face_at_ipa_weight(template, avatar, ip_models, spy, ip_scales):
    create(template, [avatar], ip_models, {"ipa_control": True, "ipa_weight": 0.7})

    assert ip_scales == [0.7]
    assert len(spy["calls"]) == 2
    assert all(isinstance(call["ip_adapter_image"], Image.Image) for call in spy["calls"])


def test_without_ipa_control_no_pass_gets_an_ip_image(template, avatar, ip_models, spy):
    create(template, [avatar], ip_models)

    assert all("ip_adapter_image" not in call for call in spy["calls"])


def test_train_free_avatar_is_drawn_by_ip_adapter_alone(template, built_avatar, ip_models, spy, ip_scales):
    """ipa_control_only with the person of ipa_image_path: an avatar without a LoRA (the studio makes
    it from that photo), no LoRA adapter active, the face image in every pass."""
    portraits = create(template, [built_avatar("biden").avatar], ip_models, {"ipa_control_only": True})

    assert portraits[0].image.shape == template.shape
    assert ip_scales == [0.5]  # ipa_weight's default
    assert all(isinstance(call["ip_adapter_image"], Image.Image) for call in spy["calls"])
    assert not spy["adapters"]  # no LoRA set active


def test_the_ip_adapter_is_taken_off_after_the_job(template, avatar, ip_models, spy):
    from engine.diffusion.pipelines import inpaint_pipeline

    create(template, [avatar], ip_models, {"ipa_control": True})

    assert getattr(inpaint_pipeline(ip_models.base, ip_models.controlnets()), "image_encoder", None) is None


@pytest.fixture(scope="module")
def face_models(models, models_root, tmp_path_factory) -> ModelSet:
    """The tiny models with a second ControlNet in the face-landmark ControlNet's place."""
    folder = tmp_path_factory.mktemp("controlnet-face") / "diffusion_sd15"
    shutil.copytree(models_root / "controlnet-canny", folder)
    return dataclasses.replace(models, landmarks=folder)


def test_a_face_landmark_controlnet_gets_the_mesh_drawn_in_the_face_pass(template, avatar, face_models, spy):
    create(template, [avatar], face_models)

    first, background = spy["calls"][0], spy["calls"][-1]
    assert len(first["control_image"]) == 2 and len(first["controlnet_conditioning_scale"]) == 2
    landmarks = np.asarray(first["control_image"][1])
    assert landmarks.any() and not np.array_equal(landmarks, np.asarray(first["control_image"][0]))
    assert len(background["control_image"]) == 2


def test_a_preset_is_drawn_by_text_to_image_with_its_style_lora(avatar, models, models_root, spy):
    from engine.diffusion.presets import preset_options

    styled = dataclasses.replace(models, scenes=models_root / "loras")
    options = preset_options("f_business_female", scenes=styled.scenes)
    options["scene_id"] = "bob"  # a tiny LoRA stands in for the preset's style LoRA

    with pytest.raises(EngineError):  # a random model draws no face (see above)
        create("t2i_generate", [avatar], styled, options)

    assert spy["t2i"][0]["prompt"].startswith(options["t2i_prompt"]) and "1woman" in spy["t2i"][0]["prompt"]
    assert "scene" in spy["adapters"][0][0]
