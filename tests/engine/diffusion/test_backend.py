"""The diffusion backend's surface: chosen by name, models found in STUDIO_MODELS_DIR or refused
by name, training keeps a LoRA inside the avatar's folder that load_avatar finds and checks, and
what it does not redo is the classic backend's."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from engine.backends import get_backend
from engine.diffusion.backend import LORA_FOLDER, LORA_META, DiffusionBackend
from engine.diffusion.pipelines import ModelSet
from engine.diffusion.tiny import tiny_models_dir
from engine.errors import EngineError, ErrorCode


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> ModelSet:
    root = tiny_models_dir(tmp_path_factory.mktemp("tiny") / "sd15")
    return ModelSet(base=root, canny=root / "controlnet-canny")


@pytest.fixture(scope="module")
def trained(tmp_path_factory, models, shared_data):
    """An avatar trained by the backend (3 LoRA steps) from two photos of one person."""
    photos = [p.read_bytes() for p in sorted((shared_data / "faces" / "biden").iterdir())]
    folder = tmp_path_factory.mktemp("avatars") / "biden"
    progress: list[float] = []
    avatar, checks = DiffusionBackend(models, train_steps=3, train_resolution=64).train(photos, out=folder, on_progress=progress.append)
    return folder, avatar, checks, progress


def test_get_backend_gives_the_diffusion_backend():
    assert get_backend("diffusion").name == "diffusion"


def test_missing_models_name_the_fetch_command(tmp_path, monkeypatch, astronaut_png):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path))

    with pytest.raises(EngineError) as error:
        get_backend("diffusion").create(astronaut_png, avatars=[])

    assert error.value.code == ErrorCode.MODEL_MISSING
    assert "python manage.py models fetch sd15" in error.value.message


def test_train_keeps_the_lora_inside_the_avatar_folder(trained):
    folder, avatar, checks, progress = trained

    assert (folder / LORA_FOLDER / "avatar.safetensors").is_file()
    assert avatar.meta["lora"] == str(folder / LORA_FOLDER / "avatar.safetensors")
    assert all(check.passed for check in checks)
    assert progress[-1] == 1.0 and progress == sorted(progress)
    assert not list(folder.parent.glob(".biden.training"))  # the training folder is gone


def test_load_avatar_finds_the_lora(trained, models):
    folder, avatar, _, _ = trained

    loaded = DiffusionBackend(models).load_avatar(folder)

    assert loaded.meta["lora"] == avatar.meta["lora"] and loaded.meta["lora_base"] == "sd15"
    assert len(loaded.faces) == len(avatar.faces)


def test_load_avatar_refuses_a_lora_that_does_not_match_its_checksum(trained, models, tmp_path):
    folder, _, _, _ = trained
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / LORA_FOLDER / "avatar.safetensors").write_bytes(b"not a lora")

    with pytest.raises(EngineError) as error:
        DiffusionBackend(models).load_avatar(copy)

    assert error.value.code == ErrorCode.AVATAR_INVALID


def test_a_classic_avatar_loads_without_a_lora(trained, models, tmp_path):
    folder, _, _, _ = trained
    shutil.copytree(folder, tmp_path / "classic", ignore=shutil.ignore_patterns(LORA_FOLDER))

    assert "lora" not in DiffusionBackend(models).load_avatar(tmp_path / "classic").meta


def test_created_portraits_say_the_diffusion_backend_made_them(trained, models, shared_data):
    folder, _, _, _ = trained
    backend = DiffusionBackend(models, work_side=64, seed=0)
    template = (shared_data / "templates" / "easyphoto" / "3.jpg").read_bytes()

    portraits = backend.create(template, avatars=[backend.load_avatar(folder)],
                               options={"first_diffusion_steps": 2, "second_diffusion_steps": 2})

    assert portraits[0].backend == "diffusion" and portraits[0].image.shape[2] == 3


def test_template_faces_is_the_classic_backends(models, grace_hopper_jpg):
    assert DiffusionBackend(models).template_faces(grace_hopper_jpg) == get_backend("classic").template_faces(
        grace_hopper_jpg)


def test_lora_meta_records_the_base_family(trained):
    folder, _, _, _ = trained

    assert json.loads((Path(folder) / LORA_FOLDER / LORA_META).read_text())["base"] == "sd15"


def test_train_xl_trains_the_lora_on_sdxl(tiny_sdxl_models, models, shared_data, tmp_path):
    photos = [p.read_bytes() for p in sorted((shared_data / "faces" / "biden").iterdir())]
    backend = DiffusionBackend(models, train_steps=2, train_resolution=64, validate=False, xl_base=tiny_sdxl_models)

    avatar, _ = backend.train(photos, out=tmp_path / "xl", options={"configure": {"model_name": "train_xl"}})

    assert avatar.meta["lora_base"] == "sdxl"
    assert json.loads((tmp_path / "xl" / LORA_FOLDER / LORA_META).read_text())["base"] == "sdxl"


def test_train_xl_without_sdxl_weights_names_the_fetch_command(tmp_path, monkeypatch, models, astronaut_png):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))

    with pytest.raises(EngineError) as error:
        DiffusionBackend(models).train([astronaut_png], out=tmp_path / "a", options={"model_name": "train_xl"})

    assert error.value.code == ErrorCode.MODEL_MISSING
    assert "python manage.py models fetch sdxl" in error.value.message
    assert not (tmp_path / "a").exists()


def test_a_model_name_that_is_not_a_training_one_is_refused(tmp_path, models, astronaut_png):
    with pytest.raises(EngineError) as error:
        DiffusionBackend(models).train([astronaut_png], out=tmp_path / "a", options={"model_name": "create_xl"})

    assert error.value.code == ErrorCode.INVALID_OPTION and "train_xl" in error.value.message


@pytest.fixture(scope="module")
def xl_models(tiny_sdxl_models) -> ModelSet:
    return ModelSet(base=tiny_sdxl_models, canny=tiny_sdxl_models / "controlnet-canny")


@pytest.fixture(scope="module")
def trained_xl(tmp_path_factory, models, xl_models, shared_data) -> Path:
    """An avatar folder trained on SDXL (the seeds' model_name "train_xl"), 2 LoRA steps."""
    photos = [p.read_bytes() for p in sorted((shared_data / "faces" / "biden").iterdir())]
    folder = tmp_path_factory.mktemp("avatars-xl") / "biden"
    backend = DiffusionBackend(models, train_steps=2, train_resolution=64, validate=False, xl_models=xl_models)
    backend.train(photos, out=folder, options={"model_name": "train_xl"})
    return folder


@pytest.fixture
def pipelines_called(monkeypatch) -> list[str]:
    """The class name of each inpainting pipeline called (the real call still runs)."""
    from diffusers import StableDiffusionControlNetInpaintPipeline, StableDiffusionXLControlNetInpaintPipeline

    called: list[str] = []
    for cls in (StableDiffusionControlNetInpaintPipeline, StableDiffusionXLControlNetInpaintPipeline):
        original = cls.__call__

        def call(self, *args, _original=original, **kwargs):
            called.append(type(self).__name__)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__call__", call)
    return called


FAST = {"first_diffusion_steps": 2, "second_diffusion_steps": 2}


def test_an_avatar_trained_on_sdxl_is_drawn_by_the_sdxl_models(trained_xl, models, xl_models, shared_data,
                                                              pipelines_called):
    backend = DiffusionBackend(models, xl_models=xl_models, work_side=64, seed=0)
    template = (shared_data / "templates" / "easyphoto" / "3.jpg").read_bytes()

    portraits = backend.create(template, avatars=[backend.load_avatar(trained_xl)], options=FAST)

    assert portraits[0].backend == "diffusion" and max(portraits[0].image.shape[:2]) >= 1024
    assert set(pipelines_called) == {"StableDiffusionXLControlNetInpaintPipeline"}


def test_an_sd15_avatar_is_drawn_by_the_sd15_models_beside_sdxl(trained, models, xl_models, shared_data,
                                                               pipelines_called):
    folder, _, _, _ = trained
    backend = DiffusionBackend(models, xl_models=xl_models, work_side=64, seed=0)
    template = (shared_data / "templates" / "easyphoto" / "3.jpg").read_bytes()

    backend.create(template, avatars=[backend.load_avatar(folder)], options=FAST)

    assert set(pipelines_called) == {"StableDiffusionControlNetInpaintPipeline"}


def test_create_xl_refuses_an_avatar_trained_on_sd15(trained, models, xl_models, shared_data):
    folder, _, _, _ = trained
    backend = DiffusionBackend(models, xl_models=xl_models, work_side=64, seed=0)
    template = (shared_data / "templates" / "easyphoto" / "3.jpg").read_bytes()

    with pytest.raises(EngineError) as error:
        backend.create(template, avatars=[backend.load_avatar(folder)], options={**FAST, "model_name": "create_xl"})

    assert error.value.code == ErrorCode.UNSUPPORTED_OPTION and "trained on SD15" in error.value.message


def test_sdxl_models_not_fetched_name_both_fetch_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))

    with pytest.raises(EngineError) as error:
        DiffusionBackend().models_for("sdxl")

    assert error.value.code == ErrorCode.MODEL_MISSING and "models fetch sdxl" in error.value.message
