"""Colour matching in CIELAB within masks: the classic stand-in for the seeds' colour shifts."""
from __future__ import annotations

import cv2
import numpy as np


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """Float LAB (L 0-100, a/b about -128..127) of an RGB uint8 image."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def from_lab(lab: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def lab_stats(lab: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each LAB channel where ``mask`` is set."""
    values = lab[mask > 0]
    if len(values) < 16:
        return np.zeros(3, np.float32), np.ones(3, np.float32)
    return values.mean(axis=0), values.std(axis=0) + 1e-3


def transfer_lab(
    lab: np.ndarray,
    source_mask: np.ndarray,
    target_stats: tuple[np.ndarray, np.ndarray],
    *,
    strength: float = 1.0,
    contrast: float = 0.5,
) -> np.ndarray:
    """Shift ``lab``'s statistics under ``source_mask`` toward ``target_stats`` (Reinhard).

    ``contrast`` scales how much of the spread is matched: matching it fully makes a soft-lit
    face as flat as a flat-lit template, which reads as a mask.
    """
    mean_s, std_s = lab_stats(lab, source_mask)
    mean_t, std_t = target_stats
    ratio = 1.0 + contrast * (np.clip(std_t / std_s, 0.5, 2.0) - 1.0)
    shifted = (lab - mean_s) * ratio + mean_t
    return lab + strength * (shifted - lab)
