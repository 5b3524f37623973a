"""LoRA avatars on tiny random models: training changes the LoRA, the LoRA loads into a pipeline,
checkpoints are validated and the best merged, and a crashed run resumes from its last checkpoint."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline
from safetensors.torch import load_file

from engine.diffusion.training import lora_train
from engine.errors import EngineError, ErrorCode

FAST = {"resolution": 64, "rank": 4}


class Crash(Exception):
    pass


def _generate(pipe, seed: int = 0) -> np.ndarray:
    image = pipe("easyphoto_face, easyphoto, 1person", height=64, width=64, num_inference_steps=2,
                 generator=torch.Generator().manual_seed(seed), output_type="np").images[0]
    return image


def test_training_moves_the_lora_away_from_its_start(tiny_models, face_crops, tmp_path):
    first = lora_train(base=tiny_models, images=face_crops, out=tmp_path / "one", steps=1, checkpoint_every=1, **FAST)
    later = lora_train(base=tiny_models, images=face_crops, out=tmp_path / "three", steps=3, checkpoint_every=3,
                       **FAST)
    start, end = load_file(first.path), load_file(later.path)
    up = [key for key in start if "lora.up" in key or "lora_B" in key]
    assert up and start.keys() == end.keys()
    assert all(key.startswith("unet.") for key in start)
    assert any(not torch.equal(start[key], end[key]) for key in up)


def test_saved_lora_loads_into_a_pipeline_and_changes_its_output(tiny_models, face_crops, tmp_path):
    trained = lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=3, checkpoint_every=3,
                         learning_rate=1e-2, **FAST)
    pipe = StableDiffusionPipeline.from_pretrained(tiny_models)
    without = _generate(pipe)
    pipe.load_lora_weights(str(trained.path.parent), weight_name=trained.path.name, adapter_name="avatar")
    with_lora = _generate(pipe)
    assert with_lora.shape == without.shape == (64, 64, 3)
    assert np.abs(with_lora - without).max() > 1e-3


def test_text_encoder_lora_is_saved_when_asked(tiny_models, face_crops, tmp_path):
    trained = lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=2, checkpoint_every=2,
                         train_text_encoder=True, **FAST)
    keys = load_file(trained.path).keys()
    assert any(key.startswith("text_encoder.") for key in keys) and any(key.startswith("unet.") for key in keys)
    pipe = StableDiffusionPipeline.from_pretrained(tiny_models)
    pipe.load_lora_weights(str(trained.path))
    assert _generate(pipe).shape == (64, 64, 3)


def test_each_checkpoint_is_validated_and_the_best_two_are_averaged(tiny_models, face_crops, tmp_path):
    seen = []
    scores = {2: 0.5, 4: 0.9, 6: 0.1, 8: 0.7}

    def validate(path):
        seen.append(path.name)
        return scores[int(path.stem.split("-")[1])]

    trained = lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=8, checkpoint_every=2,
                         validate=validate, keep_best=2, learning_rate=1e-2, **FAST)
    assert seen == ["step-2.safetensors", "step-4.safetensors", "step-6.safetensors", "step-8.safetensors"]
    assert trained.scores == scores and trained.merged == (4, 8) and trained.steps == 8
    four, eight = (load_file(tmp_path / "checkpoints" / f"step-{step}.safetensors") for step in (4, 8))
    merged = load_file(trained.path)
    assert merged.keys() == four.keys()
    for key in merged:
        torch.testing.assert_close(merged[key], (four[key] + eight[key]) / 2)
    assert any(not torch.equal(four[key], eight[key]) for key in merged)


def test_progress_is_reported_each_step(tiny_models, face_crops, tmp_path):
    fractions = []
    lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=3, checkpoint_every=5,
               on_progress=fractions.append, **FAST)
    assert fractions == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_crashed_training_resumes_from_its_last_checkpoint(tiny_models, face_crops, tmp_path):
    options = {"base": tiny_models, "images": face_crops, "steps": 4, "checkpoint_every": 2, "learning_rate": 1e-2,
               **FAST}
    straight = lora_train(out=tmp_path / "straight", **options)

    def crash_at_three(fraction):
        if fraction == 0.75:
            raise Crash

    with pytest.raises(Crash):
        lora_train(out=tmp_path / "crashed", on_progress=crash_at_three, **options)
    state = json.loads((tmp_path / "crashed" / "state.json").read_text())
    assert state["step"] == 2 and not (tmp_path / "crashed" / "lora.safetensors").exists()

    fractions = []
    resumed = lora_train(out=tmp_path / "crashed", on_progress=fractions.append, **options)
    assert resumed.resumed_from == 2 and resumed.steps == 4
    assert fractions == [0.75, 1.0]
    assert sorted(p.name for p in (tmp_path / "crashed" / "checkpoints").glob("optimizer-*")) == ["optimizer-4.pt"]
    # Weights, optimizer moments and random state all came back: the same LoRA as a run never stopped.
    expected, actual = load_file(straight.path), load_file(resumed.path)
    for key in expected:
        torch.testing.assert_close(actual[key], expected[key])


def test_finished_training_called_again_does_nothing(tiny_models, face_crops, tmp_path):
    options = {"base": tiny_models, "images": face_crops, "out": tmp_path, "steps": 2, "checkpoint_every": 2, **FAST}
    first = lora_train(**options)
    before = first.path.stat().st_mtime_ns
    again = lora_train(**options, on_progress=lambda fraction: pytest.fail("trained again"))
    assert again.resumed_from == 2 and again.path.stat().st_mtime_ns == before


def test_resuming_with_other_options_is_refused(tiny_models, face_crops, tmp_path):
    lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=1, checkpoint_every=1, **FAST)
    with pytest.raises(EngineError) as error:
        lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=2, checkpoint_every=1, resolution=64,
                   rank=8)
    assert error.value.code == ErrorCode.INVALID_OPTION and "rank" in error.value.message


@pytest.mark.parametrize(("change", "needle"), [
    ({"images": []}, "at least one face"),
    ({"steps": 0}, "steps"),
    ({"checkpoint_every": 0}, "checkpoint_every"),
    ({"resolution": 60}, "multiple of 8"),
    ({"captions": ["one"]}, "caption"),
    ({"images": [np.zeros((8, 8), dtype=np.uint8)]}, "RGB uint8"),
])
def test_bad_input_is_refused_before_any_work(tiny_models, face_crops, tmp_path, change, needle):
    arguments = {"base": tiny_models, "images": face_crops, "out": tmp_path / "out", **FAST, **change}
    with pytest.raises(EngineError) as error:
        lora_train(**arguments)
    assert error.value.code == ErrorCode.INVALID_OPTION and needle in error.value.message
    assert not (tmp_path / "out").exists()


def test_missing_base_model_names_models_fetch(face_crops, tmp_path):
    with pytest.raises(EngineError) as error:
        lora_train(base=tmp_path / "nothing", images=face_crops, out=tmp_path / "out", **FAST)
    assert error.value.code == ErrorCode.MODEL_MISSING and "models fetch" in error.value.message


def test_sdxl_lora_trains_and_loads(tiny_sdxl_models, face_crops, tmp_path):
    trained = lora_train(base=tiny_sdxl_models, images=face_crops, out=tmp_path, steps=2, checkpoint_every=2,
                         learning_rate=1e-2, **FAST)
    pipe = StableDiffusionXLPipeline.from_pretrained(tiny_sdxl_models)
    without = _generate(pipe)
    pipe.load_lora_weights(str(trained.path))
    assert np.abs(_generate(pipe) - without).max() > 1e-3


def test_checkpoints_scored_alike_leave_the_last_as_the_lora(tiny_models, face_crops, tmp_path):
    trained = lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=4, checkpoint_every=2,
                         validate=lambda path: -2.0, keep_best=2, **FAST)

    assert trained.merged == (4,)
    last = load_file(tmp_path / "checkpoints" / "step-4.safetensors")
    assert all(torch.equal(tensor, last[key]) for key, tensor in load_file(trained.path).items())


def test_a_base_fetched_as_the_manifest_fetches_it_half_precision_files_only_trains(face_crops, tmp_path):
    from engine.diffusion.tiny import tiny_models_dir

    base = tiny_models_dir(tmp_path / "sd15", controlnet=False, variant="fp16")
    assert list((base / "unet").glob("*.fp16.safetensors")) and not list((base / "unet").glob("*[!6].safetensors"))

    trained = lora_train(base=base, images=face_crops, out=tmp_path / "run", steps=1, checkpoint_every=1, **FAST)

    assert trained.path.is_file() and trained.steps == 1
