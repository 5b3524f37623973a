"""The tiny model folders load with the production classes and generate images of the asked size."""
from __future__ import annotations

import json

import numpy as np
import torch
from diffusers import (
    ControlNetModel,
    StableDiffusionControlNetInpaintPipeline,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
)
from PIL import Image

from engine.diffusion import TRIGGER


def _image(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def test_tiny_folder_is_laid_out_as_a_checkpoint(tiny_models):
    index = json.loads((tiny_models / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionPipeline"
    for part in ("unet", "vae", "text_encoder", "tokenizer", "scheduler"):
        assert (tiny_models / part).is_dir(), part
    assert (tiny_models / "controlnet-canny" / "config.json").is_file()
    assert (tiny_models / "unet" / "diffusion_pytorch_model.safetensors").is_file()


def test_tiny_tokenizer_reads_the_trigger_as_clip_does(tiny_models):
    pipe = StableDiffusionPipeline.from_pretrained(tiny_models)
    ids = pipe.tokenizer(f"a photo of a person, {TRIGGER}").input_ids
    assert ids[0] == pipe.tokenizer.bos_token_id and ids[-1] == pipe.tokenizer.eos_token_id
    assert pipe.tokenizer.unk_token_id not in ids[1:-1]
    # CLIP splits "easyphoto_face" at the underscore: three tokens, as with the real tokenizer.
    assert pipe.tokenizer.convert_ids_to_tokens(ids[-4:-1]) == ["easyphoto</w>", "_</w>", "face</w>"]


def test_tiny_text_to_image_returns_the_asked_size(tiny_models):
    pipe = StableDiffusionPipeline.from_pretrained(tiny_models)
    image = pipe("a photo of a person", height=64, width=96, num_inference_steps=2,
                 generator=torch.Generator().manual_seed(0)).images[0]
    assert image.size == (96, 64)


def test_tiny_controlnet_inpainting_returns_the_template_size(tiny_models):
    controlnet = ControlNetModel.from_pretrained(tiny_models / "controlnet-canny")
    pipe = StableDiffusionControlNetInpaintPipeline.from_pretrained(tiny_models, controlnet=controlnet)
    template = _image(80, 64)
    mask = Image.new("L", template.size, 255)
    image = pipe("a photo of a person", image=template, mask_image=mask, control_image=_image(80, 64, seed=1),
                 num_inference_steps=4, strength=0.5, generator=torch.Generator().manual_seed(0)).images[0]
    assert image.size == (80, 64)


def test_tiny_inpainting_unet_takes_nine_channels(tiny_models):
    pipe = StableDiffusionInpaintPipeline.from_pretrained(tiny_models / "inpaint")
    assert pipe.unet.config.in_channels == 9
    template = _image(64, 64)
    image = pipe("a photo", image=template, mask_image=Image.new("L", template.size, 255), num_inference_steps=2,
                 generator=torch.Generator().manual_seed(0)).images[0]
    assert image.size == (64, 64)


def test_tiny_sdxl_folder_generates(tiny_sdxl_models):
    pipe = StableDiffusionXLPipeline.from_pretrained(tiny_sdxl_models)
    assert pipe.text_encoder_2 is not None and pipe.tokenizer_2 is not None
    image = pipe("a photo of a person", height=64, width=64, num_inference_steps=2,
                 generator=torch.Generator().manual_seed(0)).images[0]
    assert image.size == (64, 64)
