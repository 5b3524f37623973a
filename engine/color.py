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
    turn = _chroma_turn(mean_s, mean_t)
    if turn is not None:
        # What has little colour (brows, lashes, the whites of the eyes) keeps little: shifted by
        # the difference of the skins' means, a dark brow on brown skin moved onto pale pink skin
        # came out teal. There colour (a, b), as one complex number, is turned and scaled so the
        # skin's mean would land on the template's, which leaves grey grey; the skin itself keeps
        # the shift (turned too, it lost likeness: bench/engine.py --quick 0.349 -> 0.357).
        chroma = lab[..., 1] + 1j * lab[..., 2]
        skin_like = np.clip(np.abs(chroma) / abs(complex(mean_s[1], mean_s[2])), 0.0, 1.0)
        turned = chroma * turn
        shifted[..., 1] += (1.0 - skin_like) * (turned.real - shifted[..., 1])
        shifted[..., 2] += (1.0 - skin_like) * (turned.imag - shifted[..., 2])
    return lab + strength * (shifted - lab)


CHROMA_MIN = 4.0  # a skin's mean colour (a, b) shorter than this has no direction to turn


def _chroma_turn(mean_s: np.ndarray, mean_t: np.ndarray) -> complex | None:
    source, target = complex(mean_s[1], mean_s[2]), complex(mean_t[1], mean_t[2])
    if abs(source) < CHROMA_MIN or abs(target) < CHROMA_MIN:
        return None
    turn = target / source
    return turn if 0.25 <= abs(turn) <= 4.0 else None


# The new skin's chroma against its lightness follows the template's where the template's grows
# more in shadow (match_chroma_slope): the slope of a and b on L moves by at most
# CHROMA_SLOPE_STEP (CIELAB units per unit of L; Ocean_Summer_vibe's b measures -0.24, Sundar
# Pichai's photo +0.24), over lightness within CHROMA_SLOPE_REACH spreads of the mean, where both
# skins' lightness spreads at least CHROMA_SLOPE_MIN_SPREAD.
CHROMA_SLOPE_STEP = 0.25
CHROMA_SLOPE_REACH = 2.0
CHROMA_SLOPE_MIN_SPREAD = 3.0


def match_chroma_slope(shifted: np.ndarray, skin: np.ndarray, template_skin: np.ndarray) -> None:
    """Give the new face's skin (``shifted``, LAB, its colour already the template's; ``skin`` its
    mask) the way the template's skin (``template_skin``: its LAB pixels, N x 3, from anywhere in
    the template) changes colour with lightness, in place: skin grows warmer and more
    saturated in shadow, and a template lit bright and pale shows it strongly (Ocean_Summer_vibe:
    a 8, b 10.5 at L 55-65, a 4, b 5 at L 75-85). Matched in mean only, a face with more shading
    than the template's had the pale mean's little colour in its shadows too: grey, even
    blue-grey (Joe Biden, hard case 24). Each of a and b keeps its mean; where the template's
    slope against L over the skin is steeper downward than the face's, the face's moves to it,
    by at most CHROMA_SLOPE_STEP, over lightness within CHROMA_SLOPE_REACH spreads of the mean
    (the brows and the eyes' whites are not skin)."""
    inside = skin > 0
    if inside.sum() < 200:
        return
    template_skin = np.asarray(template_skin, dtype=np.float32).reshape(-1, 3)
    if len(template_skin) < 200:
        return
    light_t, light_s = template_skin[:, 0], shifted[..., 0][inside]
    if light_t.std() < CHROMA_SLOPE_MIN_SPREAD or light_s.std() < CHROMA_SLOPE_MIN_SPREAD:
        return  # too flat a light to read a slope from
    centre, spread = float(light_s.mean()), float(light_s.std())
    offset = np.clip(shifted[..., 0] - centre, -CHROMA_SLOPE_REACH * spread, CHROMA_SLOPE_REACH * spread)
    for channel in (1, 2):
        # Only ever toward more colour in shadow: a template whose shadows lose colour (a cool
        # fill light) is matched in the mean alone. Its slope taken, a face's shadows went grey
        # and olive beside the template's warm ears (John Schneider on Sundar Pichai's photo,
        # hard case 00: b rises 0.24 a unit of L there).
        change = np.clip(_slope(light_t, template_skin[:, channel]) - _slope(light_s, shifted[..., channel][inside]),
                         -CHROMA_SLOPE_STEP, 0.0)
        shifted[..., channel] += change * offset


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least squares slope of ``y`` on ``x``."""
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / max(float((x * x).sum()), 1e-6))
