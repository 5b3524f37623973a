"""A custom style from a reference image: its palette, contrast and a little of its texture,
carried onto the content of the photo."""
from __future__ import annotations

import cv2
import numpy as np


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)


def reference_style(rgb: np.ndarray, reference: np.ndarray) -> np.ndarray:
    lab = _lab(rgb)
    ref = _lab(cv2.resize(reference, (256, max(1, 256 * reference.shape[0] // reference.shape[1])), interpolation=cv2.INTER_AREA))
    # Palette and contrast: each LAB channel takes the reference's mean and spread (Reinhard).
    mean, std = lab.reshape(-1, 3).mean(0), lab.reshape(-1, 3).std(0) + 1e-3
    ref_mean, ref_std = ref.reshape(-1, 3).mean(0), ref.reshape(-1, 3).std(0) + 1e-3
    # The lightness spread is capped so a flat reference cannot wash the face out.
    scale = ref_std / std
    scale[0] = np.clip(scale[0], 0.6, 1.6)
    out = (lab - mean) * scale + ref_mean
    # Texture: the reference's fine detail strength, added as its own high-pass noise.
    ref_l = ref[..., 0]
    ref_detail = float((ref_l - cv2.GaussianBlur(ref_l, (0, 0), 2)).std())
    own_l = out[..., 0]
    own_detail = own_l - cv2.GaussianBlur(own_l, (0, 0), 2)
    gain = np.clip(ref_detail / (float(own_detail.std()) + 1e-3), 0.7, 1.6)
    out[..., 0] = np.clip(own_l + (gain - 1) * own_detail, 0, 100)
    result = cv2.cvtColor(out.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(result * 255 + 0.5, 0, 255).astype(np.uint8)
