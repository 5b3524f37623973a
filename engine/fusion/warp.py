"""Warps over landmarks: the avatar's face onto the template (``mesh_warp``) and the template's
face to the new shape (``liquify``), both piecewise-affine; the liquify hands over to a smooth
field where its triangles fold.

Each triangle of the target is filled from the same triangle of the source by its own affine
map. Where the target's triangles fold, the avatar's face is drawn in the reference's own,
nearest last (``mesh_warp``): a template turned more than the reference shows its nose over the
far cheek. The triangles are rasterised with OpenCV and the maps applied with plain numpy:
scipy's interpolators do the same through OpenBLAS, whose threads stalled each other on a busy
machine (measured: 0.02 s alone, 4-50 s under load).
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay

from .. import masks
from ..faces.landmarks import FACE_OVAL


def _triangle_affines(dst: np.ndarray, src: np.ndarray, simplices: np.ndarray) -> np.ndarray:
    """For each triangle, the 2x3 affine map from its target corners to its source corners."""
    d0, d1, d2 = (dst[simplices[:, i]] for i in range(3))
    s0, s1, s2 = (src[simplices[:, i]] for i in range(3))
    a, b = d1[:, 0] - d0[:, 0], d2[:, 0] - d0[:, 0]
    c, d = d1[:, 1] - d0[:, 1], d2[:, 1] - d0[:, 1]
    det = a * d - b * c
    det = np.where(np.abs(det) < 1e-9, 1e-9, det)
    inv = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], 1) / det[:, None, None]
    su = np.stack([s1 - s0, s2 - s0], -1)  # n x 2 x 2, columns are the source edge vectors
    linear = np.empty((len(simplices), 2, 2))
    for i in range(2):
        for j in range(2):
            linear[:, i, j] = su[:, i, 0] * inv[:, 0, j] + su[:, i, 1] * inv[:, 1, j]
    offset = s0 - (linear[:, :, 0] * d0[:, :1] + linear[:, :, 1] * d0[:, 1:])
    return np.concatenate([linear, offset[:, :, None]], axis=2)


def _source_map(
    dst: np.ndarray, src: np.ndarray, box: tuple[int, int, int, int], simplices: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source coordinates for every pixel of ``box`` (x0, y0, x1, y1 inclusive) and a mask of
    the pixels inside the triangulation (``simplices``, or the target's own Delaunay one)."""
    x0, y0, x1, y1 = box
    if simplices is None:
        simplices = Delaunay(dst).simplices
    affines = _triangle_affines(dst, src, simplices)
    index = np.full((y1 - y0 + 1, x1 - x0 + 1), -1, np.int32)
    corners = np.round((dst[simplices] - (x0, y0)) * 16).astype(np.int32)  # 4 bits of sub-pixel
    for number, triangle in enumerate(corners):
        cv2.fillConvexPoly(index, triangle, int(number), lineType=cv2.LINE_8, shift=4)
    inside = index >= 0
    # Every pixel's six coefficients gathered at once over the whole box, not through boolean
    # indexing (a third faster, the same maps to the bit); index -1 (outside every triangle)
    # picks the appended row, which maps to -1.
    table = np.vstack([affines.reshape(-1, 6), [0.0, 0.0, -1.0, 0.0, 0.0, -1.0]]).T
    coefficients = table[:, index]
    px = np.arange(x0, x1 + 1, dtype=np.float64)[None, :]
    py = np.arange(y0, y1 + 1, dtype=np.float64)[:, None]
    map_x = (coefficients[0] * px + coefficients[1] * py + coefficients[2]).astype(np.float32)
    map_y = (coefficients[3] * px + coefficients[4] * py + coefficients[5]).astype(np.float32)
    return map_x, map_y, inside


def liquify(
    image: np.ndarray, source_points: np.ndarray, target_points: np.ndarray, *, anchor_radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Move the image content at ``source_points`` to ``target_points`` (the face's new shape),
    fading to no movement on the face outline scaled ``anchor_radius`` times from its centre.

    Piecewise-affine over the landmarks, which puts every template feature exactly where the new
    face's will be (the template's shading that shows through the blend's wide bands must sit
    under the new features: a smooth field everywhere cost portraits 0.005 of identity distance,
    bench/engine.py --quick). Where that warp folds (triangles turned over, or squeezed to a
    quarter of their area or less: on a strongly turned template the far cheek's landmarks crowd
    and cross over the avatar's, and the template's cheek came out in shards along the new face's
    edge), and between the face's outline and the ring, a smooth field takes over: each
    landmark's move spread by a Gaussian, as a liquify brush does.

    Returns the liquified image and the mask (bool) of pixels it moved.
    """
    height, width = image.shape[:2]
    src, dst = source_points[:, :2].astype(np.float64), target_points[:, :2].astype(np.float64)
    # The ring follows the face's own outline, scaled out from its centre (a circle would
    # reach past a narrow face and move the hair beside it), at whichever of the old and new
    # outlines lies farther out: the movement fades to nothing there.
    oval = np.asarray(FACE_OVAL)
    centre = src[oval].mean(axis=0)
    direction = src[oval] - centre
    reach = np.maximum(np.linalg.norm(direction, axis=1), np.linalg.norm(dst[oval] - centre, axis=1))
    unit = direction / np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-6)
    ring = centre + anchor_radius * reach[:, None] * unit
    corners = np.array([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]], np.float64)
    anchors = np.vstack([ring, corners])
    every_src, every_dst = np.vstack([src, anchors]), np.vstack([dst, anchors])
    simplices = Delaunay(every_dst).simplices
    # Triangles of anchors alone (ring and corners) map to themselves: only the box of those
    # that touch a landmark moves (half of the work area), and the smooth field's below.
    touching = np.any(simplices < len(src), axis=1)
    x0, y0, x1, y1 = _triangles_box(every_dst[simplices[touching]], 1.0, (width, height))
    outside = np.any(simplices >= len(src), axis=1) & np.all(simplices < len(src) + len(ring), axis=1)
    smooth = _folded(every_src, every_dst, simplices) | outside
    face_size = float(np.mean(np.linalg.norm(direction, axis=1))) * 2.0
    if smooth.any():
        # Only around the folds and the outline (their box, padded by the fade and the brush's
        # reach), not over the whole work area.
        blend = FOLD_BLEND * face_size
        folded = every_dst[simplices[smooth]]  # n x 3 x 2
        fx0, fy0, fx1, fy1 = _triangles_box(folded, 3.0 * blend + 3.0 * LIQUIFY_SIGMA * face_size, (width, height))
        x0, y0, x1, y1 = min(x0, fx0), min(y0, fy0), max(x1, fx1), max(y1, fy1)
    box = np.s_[y0:y1, x0:x1]
    map_x, map_y, inside = _source_map(every_dst, every_src, (x0, y0, x1 - 1, y1 - 1), simplices)
    base_x, base_y = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    map_x = np.where(inside, map_x, base_x)
    map_y = np.where(inside, map_y, base_y)
    # The template's real cheek and jaw edge lies near the mesh's outline, rarely on it: warped
    # piecewise-affine, it bent at each outline landmark (a jagged jaw against dark hair, looked
    # at 3x in bench/hard_cases.py's pale template). Between the outline and the ring, and a fade's
    # width inside the outline (the edge lies on either side of it), the smooth field moves it
    # instead, as it does where the warp folds: about 20 ms a portrait. Identity unchanged
    # (bench/engine.py --quick: 96.8 % of portraits within 0.40, median 0.3490 against 98.4 %,
    # 0.3518; held out 53 %, 0.3938 against 51 %, 0.3997).
    if smooth.any():
        hard = _triangles_mask(folded, (fx0, fy0), (fy1 - fy0, fx1 - fx0))
        weight = masks.feather(masks.grow_mask(hard, 2.0 * blend), blend)
        field_x, field_y = _smooth_field(
            np.vstack([dst, _densified(ring)]) - (fx0, fy0), np.vstack([dst - src, np.zeros((len(ring) * DENSIFY, 2))]),
            (fy1 - fy0, fx1 - fx0), sigma=LIQUIFY_SIGMA * face_size,
        )
        part = np.s_[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
        map_x[part] += weight * (base_x[part] - field_x - map_x[part])
        map_y[part] += weight * (base_y[part] - field_y - map_y[part])
    moved_box = (np.abs(map_x - base_x) > 0.05) | (np.abs(map_y - base_y) > 0.05)
    # OpenCV remaps at most 4 channels at once: the image with its glasses and hands takes two.
    channels = image.shape[2] if image.ndim == 3 else 1
    remapped = np.dstack([cv2.remap(np.ascontiguousarray(image[:, :, first:first + 4]) if image.ndim == 3 else image,
                                    map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
                          for first in range(0, channels, 4)]).reshape(map_x.shape + image.shape[2:])
    out = image.copy()
    out[box][moved_box] = remapped[moved_box]
    moved = np.zeros((height, width), bool)
    moved[box] = moved_box
    return out, moved


def _triangles_mask(triangles: np.ndarray, origin: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
    """uint8 mask of ``shape`` (h, w) with ``triangles`` (n x 3 x 2, image pixels) filled, the
    mask's corner at ``origin`` (x, y) of the image; 4 bits of sub-pixel, as the maps are drawn."""
    mask = np.zeros(shape, np.uint8)
    for triangle in np.round((triangles - origin) * 16).astype(np.int32):
        cv2.fillConvexPoly(mask, triangle, 255, lineType=cv2.LINE_8, shift=4)
    return mask


def _triangles_box(triangles: np.ndarray, pad: float, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1 exclusive) around ``triangles`` (n x 3 x 2) padded by ``pad`` px,
    inside an image of ``size`` (w, h)."""
    corners = triangles.reshape(-1, 2)
    x0, y0 = np.maximum(np.floor(corners.min(axis=0) - pad).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(corners.max(axis=0) + pad).astype(int) + 1, size)
    return int(x0), int(y0), int(x1), int(y1)


FOLD_SQUEEZE = 4.0  # a triangle drawn from a source this many times its area is folding
FOLD_BLEND = 0.015  # face sizes: how far around the folds the smooth field fades out


def _folded(src: np.ndarray, dst: np.ndarray, simplices: np.ndarray) -> np.ndarray:
    """Triangles that turn over between ``src`` and ``dst``, or shrink to a sliver there."""
    before, after = _signed_area(src, simplices), _signed_area(dst, simplices)
    return (before * after <= 0) | (np.abs(before) > FOLD_SQUEEZE * np.abs(after))


def _signed_area(points: np.ndarray, simplices: np.ndarray) -> np.ndarray:
    a, b, c = (points[simplices[:, i]] for i in range(3))
    return (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])


# The liquify's brush, in face sizes (the outline's mean diameter): landmarks lie about 0.03
# apart, so each pixel's move is a weighted mean over its few nearest landmarks.
LIQUIFY_SIGMA = 0.035
DENSIFY = 4  # points per ring segment: a sparse ring lets the face's moves leak out between them
_FIELD_STEP = 4  # px: the field is built on a grid this much coarser, then resized


def _densified(ring: np.ndarray) -> np.ndarray:
    following = np.roll(ring, -1, axis=0)
    steps = np.arange(DENSIFY)[:, None, None] / DENSIFY
    return (ring[None] + steps * (following - ring)[None]).reshape(-1, 2)


def _smooth_field(
    at: np.ndarray, moves: np.ndarray, shape: tuple[int, int], *, sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """The moves (n x 2) given at the points ``at`` spread over an image of ``shape`` by
    normalised Gaussian convolution; nothing where no point is near."""
    height, width = shape
    grid = (-(-height // _FIELD_STEP), -(-width // _FIELD_STEP))
    cells = np.round(at / _FIELD_STEP).astype(int)
    # Points past the edges are left out: a caller using part of the field pads its box by the
    # brush's reach (3 sigma), past which a point's pull is a hundredth.
    keep = (cells[:, 0] >= 0) & (cells[:, 0] < grid[1]) & (cells[:, 1] >= 0) & (cells[:, 1] < grid[0])
    cells, moves = cells[keep], moves[keep]
    sums = np.zeros((*grid, 3), np.float32)
    np.add.at(sums, (cells[:, 1], cells[:, 0]), np.c_[moves, np.ones(len(moves))].astype(np.float32))
    spread = max(sigma / _FIELD_STEP, 0.5)
    blurred = cv2.GaussianBlur(sums, (0, 0), spread)
    # A weak prior of no move, a tenth of one point's weight at its centre: among the landmarks it
    # is nothing, and far from every point (a Gaussian's tail, then the kernel's cut-off edge) the
    # move fades to nothing instead of jumping there.
    prior = 0.1 / (2.0 * np.pi * spread * spread)
    field = blurred[:, :, :2] / (blurred[:, :, 2:] + prior)
    full = cv2.resize(field.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    return full[:, :, 0], full[:, :, 1]


MESH_STRETCH = 1.0  # times the mesh's median: a triangle drawn larger than this is a sliver stretched
FOLD_REACH = 0.15  # eye distances around the target triangulation's folds that the surface redraws


def _folds_redrawn(
    dst: np.ndarray, src: np.ndarray, target_points: np.ndarray, box: tuple[int, int, int, int], simplices: np.ndarray,
    maps: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Where the target's triangulation (``simplices``, its ``maps`` over ``box``) folds, the
    face redrawn as a renderer draws a surface, in place: the source's own triangles that face
    the viewer in the target, farthest first, so the nearer overwrite them.

    A template turned more than its reference crowds its far cheek's landmarks until they cross:
    the target's triangles there turn over in the source and draw it back and forth, shards of
    cheek and hair along the nose's far side (looked at: Steve Carell and Rose Leslie onto
    easyphoto/7). Drawn from the reference's own triangles the far cheek is behind the nose, as on
    a real turned head. Only around the folds: where the reference is the one turned more, its
    own triangles crowd and leave gaps or stretch slivers, and the target's draw it smoothly."""
    flipped = _signed_area(src, simplices) * _signed_area(dst, simplices) <= 0
    if not flipped.any():
        return
    x0, y0, x1, y1 = box
    fold = _triangles_mask(dst[simplices[flipped]], (x0, y0), (y1 - y0 + 1, x1 - x0 + 1))
    fold = masks.grow_mask(fold, FOLD_REACH * masks.eye_distance(target_points)) > 0
    surface = Delaunay(src).simplices
    before, after = _signed_area(src, surface), _signed_area(dst, surface)
    facing = before * after > 0
    # A sliver of the reference's far cheek drawn wide would stretch the hair beyond its outline.
    stretch = np.abs(after) / np.maximum(np.abs(before), 1e-9)
    if facing.any():
        facing &= stretch < MESH_STRETCH * np.median(stretch[facing])
    surface = surface[facing]
    depth = target_points[surface, 2].mean(axis=1)  # MediaPipe's z: smaller is nearer
    map_x, map_y, inside = _source_map(dst, src, box, surface[np.argsort(-depth, kind="stable")])
    redrawn = fold & inside
    maps[0][redrawn], maps[1][redrawn] = map_x[redrawn], map_y[redrawn]
    maps[2][redrawn] = True


def mesh_warp(
    source: np.ndarray, source_points: np.ndarray, target_points: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Warp ``source`` so its landmarks land on ``target_points`` in an image of ``size`` (w, h).

    Returns the warped image (as many channels as ``source``) and a float mask (1 where the mesh
    covers the pixel).
    """
    width, height = size
    src = source_points[:, :2].astype(np.float64)
    dst = target_points[:, :2].astype(np.float64)
    x0, y0 = np.floor(dst.min(axis=0)).astype(int)
    x1, y1 = np.ceil(dst.max(axis=0)).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, width - 1), min(y1, height - 1)
    warped = np.zeros((height, width) + source.shape[2:], source.dtype)
    coverage = np.zeros((height, width), np.float32)
    if x1 <= x0 or y1 <= y0:
        return warped, coverage
    simplices = Delaunay(dst).simplices
    map_x, map_y, inside = _source_map(dst, src, (x0, y0, x1, y1), simplices)
    _folds_redrawn(dst, src, target_points, (x0, y0, x1, y1), simplices, (map_x, map_y, inside))
    patch = cv2.remap(source, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)
    warped[y0 : y1 + 1, x0 : x1 + 1] = patch
    coverage[y0 : y1 + 1, x0 : x1 + 1] = inside.astype(np.float32)
    return warped, coverage
