"""The diffusion backend's speed on a GPU: LoRA training and portraits at full model size.

Full-size SD 1.5 and SDXL architectures are built from their configs (written here) with random
weights: no download, and speed does not depend on what the weights are. Measured: seconds for
400 LoRA steps at 512 px (SD 1.5) and 1024 px (SDXL), seconds per portrait through both passes
with and without LCM (SD 1.5), peak GPU memory of each. ``--quick``: tiny models on the CPU, a smoke
run of the same code in under a minute.

Run: .venv/bin/python -m bench.diffusion [--quick] [--json] [--repeat 3] [--skip-sdxl] [--out FILE]
Writes bench/results/diffusion.json (quick runs: diffusion_quick.json), after each measure, so a run
stopped part way keeps what it measured.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from functools import partial
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from diffusers import AutoencoderKL, ControlNetModel, PNDMScheduler, UNet2DConditionModel
from PIL import Image
from skimage import data
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

from engine.diffusion.backend import DiffusionBackend
from engine.diffusion.pipelines import ModelSet, clear_cache
from engine.diffusion.tiny import SD15_SCHEDULER, tiny_models_dir, tiny_tokenizer
from engine.diffusion.training import lora_train
from engine.identity import avatar_build

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
TARGETS = {"train_s": 180.0, "portrait_s": 6.0}  # the targets on one H100/H200-class GPU

# runwayml/stable-diffusion-v1-5 unet/config.json and vae/config.json, and CLIP ViT-L/14's text tower.
SD15_UNET = {
    "sample_size": 64, "in_channels": 4, "out_channels": 4, "layers_per_block": 2,
    "block_out_channels": (320, 640, 1280, 1280),
    "down_block_types": ("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    "up_block_types": ("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    "cross_attention_dim": 768, "attention_head_dim": 8,
}
# stabilityai/stable-diffusion-xl-base-1.0 unet/config.json.
SDXL_UNET = {
    "sample_size": 128, "in_channels": 4, "out_channels": 4, "layers_per_block": 2,
    "block_out_channels": (320, 640, 1280),
    "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    "up_block_types": ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    "transformer_layers_per_block": (1, 2, 10), "cross_attention_dim": 2048, "attention_head_dim": (5, 10, 20),
    "use_linear_projection": True, "addition_embed_type": "text_time", "addition_time_embed_dim": 256,
    "projection_class_embeddings_input_dim": 2816,
}
VAE = {
    "in_channels": 3, "out_channels": 3, "latent_channels": 4, "layers_per_block": 2,
    "block_out_channels": (128, 256, 512, 512), "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4, "sample_size": 512,
}
CLIP_L = {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12, "num_hidden_layers": 12,
          "vocab_size": 49408, "max_position_embeddings": 77, "hidden_act": "quick_gelu", "projection_dim": 768}
CLIP_BIG_G = {"hidden_size": 1280, "intermediate_size": 5120, "num_attention_heads": 20, "num_hidden_layers": 32,
              "vocab_size": 49408, "max_position_embeddings": 77, "hidden_act": "gelu", "projection_dim": 1280}


def full_size_dir(path: Path, *, sdxl: bool) -> Path:
    """A diffusers folder of the real architecture with random weights (fp16 on disk). The
    weights are drawn on the GPU where there is one: SDXL's 3.5 billion take minutes on a CPU."""
    path.mkdir(parents=True, exist_ok=True)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        _random_models(path, sdxl=sdxl)
    return path


def _random_models(path: Path, *, sdxl: bool) -> None:
    half = {"safe_serialization": True}
    torch.manual_seed(0)
    unet = UNet2DConditionModel(**(SDXL_UNET if sdxl else SD15_UNET)).half()
    unet.save_pretrained(path / "unet", **half)
    if not sdxl:
        ControlNetModel.from_unet(unet).half().save_pretrained(path / "controlnet-canny", **half)
    del unet
    AutoencoderKL(**VAE, scaling_factor=0.13025 if sdxl else 0.18215).half().save_pretrained(path / "vae", **half)
    CLIPTextModel(CLIPTextConfig(**CLIP_L)).half().save_pretrained(path / "text_encoder", **half)
    _tokenizer(path / "tokenizer")
    PNDMScheduler(**SD15_SCHEDULER).save_pretrained(path / "scheduler")
    index = {"_class_name": "StableDiffusionXLPipeline" if sdxl else "StableDiffusionPipeline",
             "_diffusers_version": "0.35.2",
             "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
             "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "scheduler": ["diffusers", "PNDMScheduler"]}
    if sdxl:
        big_g = CLIPTextModelWithProjection(CLIPTextConfig(**CLIP_BIG_G)).half()
        big_g.save_pretrained(path / "text_encoder_2", **half)
        _tokenizer(path / "tokenizer_2")
        index |= {"text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
                  "tokenizer_2": ["transformers", "CLIPTokenizer"], "force_zeros_for_empty_prompt": True}
    else:
        index |= {"safety_checker": [None, None], "feature_extractor": [None, None], "requires_safety_checker": False}
    (path / "model_index.json").write_text(json.dumps(index))


def _tokenizer(folder: Path) -> None:
    # Saved whole, so that loading it knows CLIP's 77-token limit (the vocabulary alone does not say it).
    tiny_tokenizer(folder).save_pretrained(folder)


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def _peak_reset() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def _peak_gb() -> float | None:
    return round(torch.cuda.max_memory_allocated() / 2**30, 2) if torch.cuda.is_available() else None


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def bench_training(base: Path, work: Path, *, steps: int, resolution: int, images: list[np.ndarray]) -> dict:
    _peak_reset()
    seconds = _timed(lambda: lora_train(base=base, images=images, out=work, steps=steps,
                                        checkpoint_every=max(steps // 8, 1), resolution=resolution))
    return {"steps": steps, "resolution": resolution, "seconds": round(seconds, 2),
            "steps_per_s": round(steps / seconds, 2), "peak_gb": _peak_gb()}


def bench_portraits(models: ModelSet, lora: Path, *, repeat: int, work_side: int | None, steps: dict) -> dict:
    astronaut = data.astronaut()
    backend = DiffusionBackend(models, work_side=work_side, seed=0)
    avatar, _ = avatar_build([_png(astronaut)])
    avatar.meta.update(lora=str(lora), lora_base="sd15")
    results = {}
    for label, options in (("two_passes", dict(steps)), ("two_passes_lcm", {**steps, "lcm_accelerate": True})):
        backend.create(astronaut, avatars=[avatar], options=options)  # warm-up: loading, kernels
        _peak_reset()
        times = [_timed(lambda o=options: backend.create(astronaut, avatars=[avatar], options=o))
                 for _ in range(repeat)]
        results[label] = {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times],
                          "peak_gb": _peak_gb()}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny models on the CPU: a smoke run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-sdxl", action="store_true")
    parser.add_argument("--out", type=Path, help="where the JSON goes (default: bench/results/)")
    args = parser.parse_args()
    out = args.out or RESULTS / ("diffusion_quick.json" if args.quick else "diffusion.json")
    face = data.astronaut()[30:290, 120:380]
    images = [face, face[:, ::-1].copy()] * 3
    summary: dict = {"device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
                     "quick": args.quick, "targets": TARGETS, "versions": _versions()}
    save = partial(_save, summary, out)
    with tempfile.TemporaryDirectory(prefix="bench-diffusion-") as name:
        root = Path(name)
        if args.quick:
            base = tiny_models_dir(root / "sd15")
            steps, resolution, work_side, repeat = 4, 64, 64, 1
            passes = {"first_diffusion_steps": 4, "second_diffusion_steps": 4}
        else:
            base = full_size_dir(root / "sd15", sdxl=False)
            steps, resolution, work_side, repeat = 400, 512, None, args.repeat
            passes = {}
        summary["train_sd15"] = bench_training(base, root / "lora15", steps=steps, resolution=resolution, images=images)
        save()
        lora = root / "lora15" / "lora.safetensors"
        lcm = root / "lcm"
        lora_train(base=base, images=images[:1], out=lcm, steps=1, checkpoint_every=1, resolution=resolution)
        models = ModelSet(base=base, canny=base / "controlnet-canny", lcm_lora=lcm / "lora.safetensors")
        summary["portrait_sd15"] = bench_portraits(models, lora, repeat=repeat, work_side=work_side, steps=passes)
        save()
        clear_cache()
        if not args.skip_sdxl:
            xl = tiny_models_dir(root / "sdxl", sdxl=True) if args.quick else full_size_dir(root / "sdxl", sdxl=True)
            summary["train_sdxl"] = bench_training(xl, root / "loraxl", steps=steps,
                                                   resolution=resolution if args.quick else 1024, images=images)
    save()
    print(json.dumps(summary, indent=2) if args.json else f"wrote {out}")


def _save(summary: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")


def _versions() -> dict:
    return {name: metadata.version(name) for name in ("torch", "diffusers", "transformers", "peft", "accelerate")}


if __name__ == "__main__":
    main()
