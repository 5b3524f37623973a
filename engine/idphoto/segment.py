"""The person's matte: MediaPipe selfie segmentation, cleaned into one solid person (no blobs
beside them, no holes inside, the clothes down to the bottom edge), its edge refined on the photo
and the old background's colour pulled out of the edge so the new background shows no halo."""
from __future__ import annotations

import os
import threading

import cv2
import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")

_local = threading.local()
# A hole inside the person up to this share of the photo is filled (a shirt the segmenter took for
# background); a larger enclosed region is real background seen between arm and body.
MAX_HOLE = 0.02
# The guided filter's regularisation: lower follows the photo's edges closer (hair), higher keeps
# the matte's own smooth line where person and background have the same colour.
EDGE_EPS = 1e-4
# An edge pixel this much nearer (or more) the background's colours than the person's is background.
EDGE_COLOUR_RATIO = 0.4
PALETTE = 200  # colours sampled from each ring
WORK_SIDE = 640  # smooth colour work on frames larger than this is done on a smaller copy


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


def _raw_matte(rgb: np.ndarray) -> np.ndarray:
    raw = _segmenter().process(np.ascontiguousarray(rgb)).segmentation_mask
    return np.clip(raw.astype(np.float32), 0.0, 1.0)


def person_matte(rgb: np.ndarray) -> np.ndarray:
    """Alpha in [0, 1] (H x W float32) of the person in ``rgb``, edge refined to keep hair; as the
    segmenter sees it (for measuring where the hair ends)."""
    alpha = _refine_edge(rgb, _raw_matte(rgb))
    # A slight erosion: the outermost, mostly-background ring is what shows as a halo.
    return np.clip((alpha - 0.3) / 0.6, 0.0, 1.0)


def person_cutout(rgb: np.ndarray, *, face_box: tuple[float, float, float, float], body_from: int) -> np.ndarray:
    """Alpha in [0, 1] of the one person whose face is in ``face_box``, for an ID photo: exactly 0
    away from the person, exactly 1 inside; below row ``body_from`` (the chin) the body runs down
    to the bottom edge."""
    raw = _raw_matte(rgb)
    side = min(rgb.shape[:2])
    # An opening first: spikes and threads thinner than the disc (a lit patch of the old background
    # the segmenter took for hair) go; the hair's own soft edge comes back from the edge refinement.
    solid = cv2.morphologyEx((raw > 0.5).astype(np.uint8), cv2.MORPH_OPEN, _disc(max(2, side // 120))).astype(bool)
    solid = _one_person(solid, face_box)
    solid = _one_person(solid & ~_background_at_the_edge(rgb, solid), face_box)
    solid = _holes_filled(solid)
    solid = _down_to_the_edge(solid, body_from)
    # Where cleaning changed the segmenter's mind, the clean answer wins; elsewhere its soft edge.
    base = np.where(solid == (raw > 0.5), raw, solid.astype(np.float32))
    near = cv2.dilate(solid.astype(np.uint8), _disc(max(3, side // 60))).astype(bool)
    alpha = _refine_edge(rgb, np.where(near, base, 0.0).astype(np.float32))
    alpha = np.clip((alpha - 0.3) / 0.6, 0.0, 1.0)
    # The refined edge may wander a little, never far: nothing of the old background beyond a thin
    # ring around the person, nothing see-through inside.
    alpha[~cv2.dilate(solid.astype(np.uint8), _disc(max(2, side // 150))).astype(bool)] = 0.0
    alpha[cv2.erode(solid.astype(np.uint8), _disc(max(2, side // 100))).astype(bool)] = 1.0
    return alpha


def _disc(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _one_person(mask: np.ndarray, face_box: tuple[float, float, float, float]) -> np.ndarray:
    """The connected part of ``mask`` that holds most of the face: blobs beside the person and
    anyone else are dropped."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask
    x0, y0, x1, y1 = (round(v) for v in face_box)
    height, width = mask.shape
    face = labels[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
    votes = np.bincount(face.ravel(), minlength=count)[1:]
    if votes.max(initial=0) == 0:  # no person over the face: the largest part
        votes = np.bincount(labels.ravel(), minlength=count)[1:]
    return labels == 1 + int(np.argmax(votes))


def _background_at_the_edge(rgb: np.ndarray, solid: np.ndarray) -> np.ndarray:
    height, width = solid.shape
    scale = WORK_SIDE / min(height, width)
    if scale >= 1.0:
        return _background_at_the_edge_here(rgb, solid)
    # A large photo (a big custom size) is judged on a smaller copy: the colours are the same.
    small = (round(width * scale), round(height * scale))
    found = _background_at_the_edge_here(cv2.resize(rgb, small, interpolation=cv2.INTER_AREA),
                                         cv2.resize(solid.astype(np.uint8), small, interpolation=cv2.INTER_NEAREST) > 0)
    return cv2.resize(found.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0


def _background_at_the_edge_here(rgb: np.ndarray, solid: np.ndarray) -> np.ndarray:
    """The parts of the person's edge that have the old background's colours, reached from the
    background: a lit sign or a wall's pattern the segmenter took in with the hair.

    The colours of a ring just outside the person and of a ring just inside it are sampled (Lab);
    an edge pixel much nearer a background colour than any person colour is background-like, and
    background-like pixels connected to the background go.
    """
    ring = max(3, min(rgb.shape[:2]) // 30)
    # Distances to the person's outline, from inside and from outside (cheaper than wide morphology).
    depth = cv2.distanceTransform(solid.astype(np.uint8), cv2.DIST_L2, 5)
    away = cv2.distanceTransform((~solid).astype(np.uint8), cv2.DIST_L2, 5)
    outside = ~solid & (away <= 2 * ring)
    inside = (depth > ring) & (depth <= 3 * ring)
    edge = solid & (depth <= ring)
    if outside.sum() < 50 or inside.sum() < 50:
        return np.zeros_like(solid)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    near_background = _nearest(lab[edge], _palette(lab[outside])) < EDGE_COLOUR_RATIO * _nearest(lab[edge], _palette(lab[inside]))
    like = np.zeros_like(solid)
    like[edge] = near_background
    # Keep only what the background reaches: a patch of like colour inside the person stays person.
    reach = (like | ~solid).astype(np.uint8)
    _, labels = cv2.connectedComponents(reach, connectivity=4)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    return like & np.isin(labels, border[border > 0])


def _palette(colours: np.ndarray, size: int = PALETTE) -> np.ndarray:
    """An even sample of ``colours``: enough to stand for a ring's colours, and deterministic."""
    step = max(1, len(colours) // size)
    return colours[::step][:size]


def _nearest(colours: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Each colour's distance to the nearest colour of ``palette`` (in chunks: a large custom size
    has a long edge, and the full distance table would take hundreds of MB)."""
    nearest = np.empty(len(colours), np.float32)
    norms = (palette ** 2).sum(axis=1)[None, :]
    for start in range(0, len(colours), 20_000):
        chunk = colours[start : start + 20_000]
        squared = (chunk ** 2).sum(axis=1)[:, None] + norms - 2 * chunk @ palette.T
        nearest[start : start + len(chunk)] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return nearest


def _holes_filled(mask: np.ndarray) -> np.ndarray:
    """Background enclosed by the person and touching no edge of the photo, when small, is person."""
    # Label 0 is the person itself; every other label is a region of background.
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    edge = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])).tolist())
    holes = [label for label in range(1, count)
             if label not in edge and stats[label, cv2.CC_STAT_AREA] <= MAX_HOLE * mask.size]
    return mask | np.isin(labels, holes)


def _down_to_the_edge(mask: np.ndarray, from_row: int) -> np.ndarray:
    """Below ``from_row`` a column that is person stays person to the bottom: the clothes continue
    out of the photo, with no floating cut or gap in a shoulder."""
    from_row = int(np.clip(from_row, 0, mask.shape[0] - 1))
    out = mask.copy()
    out[from_row:] = np.maximum.accumulate(mask[from_row:], axis=0)
    return out


def _refine_edge(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    radius = max(2, round(min(rgb.shape[:2]) / 120))
    guide = rgb.astype(np.float32) / 255.0
    ximgproc = getattr(cv2, "ximgproc", None)
    if ximgproc is not None:
        return np.clip(ximgproc.guidedFilter(guide, alpha, radius, EDGE_EPS), 0.0, 1.0)
    # Without opencv-contrib: a plain smoothing of the low-resolution edge.
    return cv2.GaussianBlur(alpha, (0, 0), radius / 2)


def foreground_colours(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The person's colours with the edge band's colour taken from just inside the person, so a
    half-transparent edge pixel carries no old background (float32, 0-255)."""
    image = rgb.astype(np.float32)
    inside = (alpha > 0.95).astype(np.float32)
    inside = cv2.erode(inside, np.ones((3, 3), np.uint8))
    # The pulled colours are smooth: a large photo (a big custom size) blurs a smaller copy.
    height, width = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / min(height, width))
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    sigma = max(2.0, min(small) / 80)
    weight = cv2.GaussianBlur(cv2.resize(inside, small, interpolation=cv2.INTER_AREA), (0, 0), sigma)
    pulled = cv2.GaussianBlur(cv2.resize(image * inside[..., None], small, interpolation=cv2.INTER_AREA), (0, 0), sigma)
    if scale < 1.0:
        weight = cv2.resize(weight, (width, height), interpolation=cv2.INTER_LINEAR)
        pulled = cv2.resize(pulled, (width, height), interpolation=cv2.INTER_LINEAR)
    weight = weight[..., None]
    pulled = np.where(weight > 1e-3, pulled / np.maximum(weight, 1e-4), image)
    # Solid person keeps its own pixels; the thinner the edge, the more of the pulled colour.
    keep = (alpha ** 2)[..., None]
    return image * keep + pulled * (1 - keep)
