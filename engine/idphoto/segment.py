"""The person's matte: MediaPipe selfie segmentation, its edge refined on the photo and the old
background's colour pulled out of the edge so the new background shows no halo."""
from __future__ import annotations

import os
import threading

import cv2
import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")

_local = threading.local()


def _segmenter():
    # MediaPipe graphs keep state per call and are not thread-safe: one instance per thread.
    model = getattr(_local, "selfie", None)
    if model is None:
        import mediapipe as mp

        # model_selection=0 is the general (256x256) model: finer than the landscape one on a
        # head-and-shoulders framing.
        model = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
        _local.selfie = model
    return model


def person_matte(rgb: np.ndarray) -> np.ndarray:
    """Alpha in [0, 1] (H x W float32) of the person in ``rgb``, edge refined to keep hair."""
    raw = _segmenter().process(np.ascontiguousarray(rgb)).segmentation_mask
    alpha = np.clip(raw.astype(np.float32), 0.0, 1.0)
    alpha = _refine_edge(rgb, alpha)
    # A slight erosion: the outermost, mostly-background ring is what shows as a halo.
    return np.clip((alpha - 0.3) / 0.6, 0.0, 1.0)


def _refine_edge(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    radius = max(2, round(min(rgb.shape[:2]) / 120))
    guide = rgb.astype(np.float32) / 255.0
    ximgproc = getattr(cv2, "ximgproc", None)
    if ximgproc is not None:
        return np.clip(ximgproc.guidedFilter(guide, alpha, radius, 1e-4), 0.0, 1.0)
    # Without opencv-contrib: a plain smoothing of the low-resolution edge.
    return cv2.GaussianBlur(alpha, (0, 0), radius / 2)


def foreground_colours(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The person's colours with the edge band's colour taken from just inside the person, so a
    half-transparent edge pixel carries no old background (float32, 0-255)."""
    image = rgb.astype(np.float32)
    inside = (alpha > 0.95).astype(np.float32)
    inside = cv2.erode(inside, np.ones((3, 3), np.uint8))
    sigma = max(2.0, min(rgb.shape[:2]) / 80)
    weight = cv2.GaussianBlur(inside, (0, 0), sigma)[..., None]
    pulled = cv2.GaussianBlur(image * inside[..., None], (0, 0), sigma) / np.maximum(weight, 1e-4)
    pulled = np.where(weight > 1e-3, pulled, image)
    # Solid person keeps its own pixels; the thinner the edge, the more of the pulled colour.
    keep = (alpha ** 2)[..., None]
    return image * keep + pulled * (1 - keep)
