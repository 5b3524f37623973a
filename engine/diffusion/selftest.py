"""The diffusion backend's self-test: on any machine, with no download, build tiny random models,
train a LoRA avatar for a few steps, load it into a pipeline, and make one portrait in both passes.

It proves the code path (diffusers, peft, the device, the creation chain), not the quality: the
models are random. ``python -m engine diffusion-selftest --json`` prints the returned dict.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

SIDE = 64  # pixels: what the tiny models generate and train at
TRAIN_STEPS = 4


def selftest(*, workdir: Path | None = None) -> dict:
    """Timings (seconds) and shapes of each stage; ``ok`` is False when a stage failed."""
    import torch
    from diffusers import StableDiffusionPipeline

    from . import TRIGGER
    from .pipelines import lora_load
    from .tiny import tiny_models_dir
    from .training import DEFAULT_CAPTION, lora_train

    device = "cuda" if torch.cuda.is_available() else "cpu"
    report: dict[str, Any] = {"device": device, "torch": torch.__version__, "timings": {}}
    timings = report["timings"]
    with _folder(workdir) as folder:
        with _timed(timings, "build_models"):
            base = tiny_models_dir(folder / "tiny-sd15")
        faces = _faces()
        with _timed(timings, "train"):
            trained = lora_train(base=base, images=faces, out=folder / "lora", steps=TRAIN_STEPS, checkpoint_every=2,
                                 rank=4, resolution=SIDE, learning_rate=1e-2, device=device)
        report["train"] = {"steps": trained.steps, "checkpoints": sorted(trained.scores), "face_shape": faces[0].shape,
                           "lora_bytes": trained.path.stat().st_size, "caption": DEFAULT_CAPTION}

        pipe = StableDiffusionPipeline.from_pretrained(base).to(device)
        prompt = f"{TRIGGER}, easyphoto, 1person"
        with _timed(timings, "generate"):
            plain = _generate(pipe, prompt)
        with _timed(timings, "load_lora"):
            lora_load(pipe, trained.path, name="avatar")
        avatar_image = _generate(pipe, prompt)
        report["generate"] = {"shape": plain.shape, "lora_changes_output": bool(np.abs(avatar_image - plain).max() > 0)}
        del pipe

        report["creation"] = _creation(base, trained.path, timings)
    report["ok"] = report["generate"]["lora_changes_output"] and "error" not in report["creation"]
    return _plain(report)


def _faces() -> list[np.ndarray]:
    """Face crops for training: the public-domain astronaut (scikit-image ships her), cropped
    around her face, at a few scales."""
    from skimage import data

    photo = data.astronaut()
    return [photo[40 + 8 * i:240 - 8 * i, 120 + 8 * i:300 - 8 * i] for i in range(4)]


def _generate(pipe, prompt: str) -> np.ndarray:
    import torch

    return pipe(prompt, height=SIDE, width=SIDE, num_inference_steps=2, output_type="np",
                generator=torch.Generator().manual_seed(0)).images[0]


def _creation(base: Path, lora: Path, timings: dict) -> dict:
    """One portrait through the creation chain (both passes) with the trained LoRA."""
    from skimage import data

    from ..identity import avatar_build
    from ..imaging import encode
    from .creation import diffusion_create
    from .options import DiffusionOptions
    from .pipelines import ModelSet

    photo = data.astronaut()
    try:
        with _timed(timings, "avatar"):
            avatar, _ = avatar_build([encode(photo, format="PNG")], names=["astronaut"])
        avatar.meta.update(lora=str(lora), lora_base="sd15")
        calls = _count_pipeline_calls()
        with _timed(timings, "creation"), calls:
            portraits = diffusion_create(
                photo, [avatar], options=DiffusionOptions.parse({"first_diffusion_steps": 4, "second_diffusion_steps": 4}),
                models=ModelSet(base=base, canny=base / "controlnet-canny"), n=1, seed=0, work_side=SIDE,
            )
    except Exception as exc:  # noqa: BLE001 - a self-test reports what broke instead of stopping at it
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"template_shape": photo.shape, "portrait_shape": portraits[0].image.shape,
            "diffusion_passes": calls.count, "identity_distance": portraits[0].identity_distance}


class _count_pipeline_calls:
    """Counts the inpainting pipeline's calls (one per diffusion pass) while inside."""

    def __enter__(self):
        from diffusers import StableDiffusionControlNetInpaintPipeline

        self.count, self.cls = 0, StableDiffusionControlNetInpaintPipeline
        self.original = original = self.cls.__call__

        def call(pipe, *args, **kwargs):
            self.count += 1
            return original(pipe, *args, **kwargs)

        self.cls.__call__ = call
        return self

    def __exit__(self, *exc):
        self.cls.__call__ = self.original
        return False


@contextmanager
def _folder(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
        yield Path(workdir)
        return
    with tempfile.TemporaryDirectory(prefix="diffusion-selftest-") as name:
        yield Path(name)


@contextmanager
def _timed(timings: dict, name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(time.perf_counter() - start, 3)


def _plain(value: Any) -> Any:
    """JSON-ready: tuples of shapes to lists, numpy numbers to Python's."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value

