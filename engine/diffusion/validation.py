"""Identity validation of LoRA checkpoints (EasyPhoto's): each checkpoint draws the training caption
with fixed seeds, scored by how close the drawn face is to the avatar by the engine's own embedding.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from ..faces import analyze_faces, distance
from .creation import GUIDANCE, NEGATIVE
from .pipelines import base_pipeline, job_adapters
from .training import DEFAULT_CAPTION

VALIDATION_IMAGES = 2  # per checkpoint: two seeds, so that one unlucky draw does not decide
VALIDATION_STEPS = 25
# What an image without a face counts as: farther than any two faces are (dlib's embeddings of
# different people in ../shared/data are 0.84-1.05 apart, of one person 0.36-0.40), so a checkpoint
# that draws no face never beats one that draws any.
NO_FACE_DISTANCE = 2.0
WORST_SCORE = -NO_FACE_DISTANCE
CHECKPOINT_ADAPTER = "checkpoint"


def identity_validator(*, base: Path, mean_embedding: np.ndarray, resolution: int, caption: str = DEFAULT_CAPTION,
                       images: int = VALIDATION_IMAGES, steps: int = VALIDATION_STEPS,
                       seed: int = 0) -> Callable[[Path], float]:
    """A ``validate(checkpoint) -> score`` for ``lora_train``: the checkpoint's LoRA loaded into the
    base model's text-to-image pipeline (cached), ``images`` images of ``caption`` drawn at
    ``resolution`` with seeds ``seed``, ``seed + 1``..., scored by ``identity_score``."""

    def validate(checkpoint: Path) -> float:
        pipe = base_pipeline(base)
        with job_adapters(pipe, loras={CHECKPOINT_ADAPTER: Path(checkpoint)}):
            drawn = pipe(
                prompt=[caption] * images, negative_prompt=[NEGATIVE] * images, height=resolution, width=resolution,
                num_inference_steps=steps, guidance_scale=GUIDANCE, output_type="np",
                generator=[torch.Generator("cpu").manual_seed(seed + index) for index in range(images)],
            ).images
        return identity_score([np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8) for image in drawn], mean_embedding)

    return validate


def identity_score(images: Sequence[np.ndarray], mean_embedding: np.ndarray) -> float:
    """Minus the mean distance of each image's largest face to ``mean_embedding`` (higher is
    better); an image without a face counts as NO_FACE_DISTANCE, so all faceless is WORST_SCORE."""
    return -round(float(np.mean([_face_distance(rgb, mean_embedding) for rgb in images])), 4)


def _face_distance(rgb: np.ndarray, mean_embedding: np.ndarray) -> float:
    faces = [face for face in analyze_faces(rgb, limit=3) if face.embedding is not None]
    if not faces:
        return NO_FACE_DISTANCE
    largest = max(faces, key=lambda face: face.size)
    return min(distance(largest.embedding, mean_embedding), NO_FACE_DISTANCE)
