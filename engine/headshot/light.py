"""The person lit for the backdrop: colour temperature toward the backdrop's light, a gentle key
from one side, the face's shadows lifted a little and its skin lightly retouched (the portrait
retouch, at a lower strength), and the backdrop's light wrapped around the outline."""
from __future__ import annotations

import cv2
import numpy as np

from .. import masks
from ..retouch import retouch_skin
from .backdrops import Backdrop
from .paint import blur

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
KEY = 0.06  # brighter on the key side, darker on the other (a share of the light)
FALLOFF = 0.1  # the body darkens this much toward the bottom edge, as under a key light above
SHADOW_LIFT = 0.3  # share of the way face shadows are lifted toward the face's median lightness
RETOUCH = 0.45  # the portrait options' retouch runs at 0.7; a headshot stays closer to the photo
WRAP = 0.2  # how much of the backdrop's light spills over the outline


def relight(person: np.ndarray, points: np.ndarray, backdrop: Backdrop, *, key_side: float, chin_y: float) -> np.ndarray:
    """``person`` (float RGB 0-255, the decontaminated colours) relit; ``points`` the face mesh in
    frame pixels; ``key_side`` -1 (light from the left) to 1 (from the right)."""
    height, width = person.shape[:2]
    gains = np.asarray(backdrop.light, np.float32)
    gains = gains / float(gains @ LUMA)  # a change of colour, not of brightness
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    ys = np.arange(height, dtype=np.float32)[:, None]
    light = (1 + KEY * key_side * xs) * (1 - FALLOFF * np.clip((ys - chin_y) / max(height - chin_y, 1.0), 0, 1))
    lit = person * gains * light[..., None]
    return _lift_face_shadows(np.clip(lit, 0, 255), points)


def _lift_face_shadows(person: np.ndarray, points: np.ndarray) -> np.ndarray:
    box = _face_box(points, person.shape)
    if box is None:
        return person
    rows, columns = box
    face = person[rows, columns]
    local = points[:, :2] - np.array([columns.start, rows.start], np.float32)
    mask = masks.feather(masks.face_mask(local, face.shape), masks.eye_distance(points) * 0.15)
    lab = cv2.cvtColor(face / 255.0, cv2.COLOR_RGB2LAB)
    skin = lab[..., 0][mask > 0.5]
    if skin.size == 0:
        return person
    median = float(np.median(skin))
    lift = SHADOW_LIFT * np.clip(median - lab[..., 0], 0, None) * mask
    lab[..., 0] += lift
    out = person.copy()
    out[rows, columns] = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB) * 255.0
    return out


def retouch(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The portrait retouch on the face's skin (eyes, brows and lips kept crisp), on uint8 RGB."""
    box = _face_box(points, image.shape)
    if box is None:
        return image
    rows, columns = box
    local = points[:, :2] - np.array([columns.start, rows.start], np.float32)
    face = image[rows, columns]
    width = float(np.ptp(points[:, 0]))
    skin = masks.feather(masks.skin_mask(local, face.shape), width * 0.02)
    out = image.copy()
    out[rows, columns] = retouch_skin(np.ascontiguousarray(face), skin, face_width=width, strength=RETOUCH)
    return out


def light_wrap(person: np.ndarray, alpha: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """The backdrop's light seen just inside the person's outline, as a lens shows a subject in
    front of a bright background: what makes a cut-out sit in its picture."""
    height = alpha.shape[0]
    rim = alpha * (1 - blur(alpha, height * 0.004))
    glow = blur(backdrop, height * 0.012)
    weight = (WRAP * np.clip(rim * 2, 0, 1))[..., None]
    screen = 255 - (255 - person) * (255 - glow) / 255
    return person * (1 - weight) + screen * weight


def _face_box(points: np.ndarray, shape) -> tuple[slice, slice] | None:
    x0, y0 = points[:, :2].min(axis=0)
    x1, y1 = points[:, :2].max(axis=0)
    pad = 0.15 * (x1 - x0)
    x0, y0 = max(0, int(x0 - pad)), max(0, int(y0 - pad))
    x1, y1 = min(shape[1], int(x1 + pad) + 1), min(shape[0], int(y1 + pad) + 1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return slice(y0, y1), slice(x0, x1)
