"""Tiny random diffusion models, built once per session in a temporary folder (no download).

Skipped, with the reason, where the extra ``[gpu]`` (torch, diffusers, peft) is not installed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers", reason="the diffusion extra is not installed (pip install -r requirements/gpu.txt)")
pytest.importorskip("peft", reason="the diffusion extra is not installed (pip install -r requirements/gpu.txt)")

import torch

# Two threads fight over the cores the suite shares with other processes; on models this small one
# thread is several times faster.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.diffusion.tiny import tiny_models_dir

    return tiny_models_dir(tmp_path_factory.mktemp("tiny-sd15"), inpaint=True)


@pytest.fixture(scope="session")
def tiny_sdxl_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.diffusion.tiny import tiny_models_dir

    return tiny_models_dir(tmp_path_factory.mktemp("tiny-sdxl"), sdxl=True)


@pytest.fixture
def face_crops() -> list[np.ndarray]:
    """Four stand-ins for aligned face crops, of different sizes (training resizes them)."""
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, size=(48 + 8 * i, 40 + 8 * i, 3), dtype=np.uint8) for i in range(4)]
