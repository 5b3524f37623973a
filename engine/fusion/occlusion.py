"""Occlusion both ways: what covers the template's face stays in front of the new face, and
what covers the avatar's reference face never reaches the template.

Something not skin is found by colour: the face's skin colour is learnt from its cheeks and
nose, and skin-area pixels far from it in CIELAB (robust z-score) are taken as an occluder
(fringes, veils, hats, hair strands). Eyes, brows and lips are never tested: they differ from
skin by nature. Hands (skin-coloured) come from MediaPipe's hand landmarks, glasses from
glasses.py. The template's glasses are drawn over the finished face. The reference's spectacles
are painted out of its crop and its hands out of the new face, from its own skin; its sunglasses
leave the template's face there.
"""
from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np

from .. import masks
from ..color import to_lab
from ..faces import landmarks as lm
from ..faces.glasses import Glasses, find_glasses
from ..faces.hands import find_hands, hands_mask
from ..identity import AvatarFace
from .fill import fill_smooth
from .shine import shine_tamed
from .warp import mesh_warp

T = TypeVar("T")

# Robust z-score past which a pixel is not skin, and floors for the spread so that a very even
# (AI-rendered) skin does not make every shadow an occluder.
Z_OCCLUDED = 4.5
SPREAD_FLOOR = np.array([6.0, 3.0, 3.0], np.float32)  # L, a, b
# On the reference face its own cheeks and nose set the skin model (a fringe or a beard in the
# sample widened it until hair passed as skin), and above the nose, where strands of hair fall,
# a texture far busier than the cheeks' is not skin either (below it a beard is the person's
# own). Measured on 6 avatars x 7 templates of ../shared/data, share of portraits within 0.40 of
# the avatar: 95 % before; z 4.5 and ratio 3.0: 98 %; z 3.5 and ratio 2.0 caught more strands
# but left 90 % (the template's skin showed through too much of the face).
Z_REFERENCE = 4.5
TEXTURE_RATIO = 3.0
# Below the nose tip, texture this much busier than the cheeks', busy throughout (stubble, a
# beard), is the person's own whatever its colour: taken by the colour model for an occluder,
# the template's smooth skin showed through a patchy beard. bench/hard_cases.py, Kit Harington's
# bearded reference: 0.422 -> 0.387 from his avatar; bench/engine.py --quick: median 0.352 -> 0.349.
BEARD_RATIO = 1.5
# A face has a beard when BEARD_BUSY of the skin around its mouth (_around_mouth) is that busy,
# or that skin's median lightness is BEARD_DARK robust spreads below the skin model's or darker.
# Measured on the reference faces of ../shared/data: bearded ones 0.22-0.97 busy (Kit Harington's
# smallest face 0.13, and -1.8 dark); smooth-chinned ones 0.01-0.11 busy (Rose Leslie, Marissa
# Mayer, John Lennon, Grace Hopper's wrinkles), and -0.7 to 0.1 but Obama and Biden (-0.8 to
# -1.5: kept as before, no harm without hair there). Without a beard, strands of hair at the rim
# below the nose passed for one and were left as brown streaks on the cheeks.
BEARD_BUSY = 0.2
BEARD_DARK = -1.0
# Hair runs from warm (red, blond, brown) to a neutral grey: CIELAB's b, blue to yellow, about 0
# or above. What is as busy as stubble below the mouth and clearly bluer than that, averaged over a
# busyness box, is something held or worn there (a microphone's head, its shine and edges; a
# collar), whose colour the model then takes for an occluder. Lin-Manuel Miranda's microphone
# measured -10 to -2 (its shine was left on the new face's chin; his stubble 5, his skin 14); of
# Kit Harington's black beard in cool light 1 % of the pixels fall below -3.2, Eric Clapton's
# grey one none below 0.
BEARD_BLUE = -4.0
# Around the eyes and brows (never tested by the colour model), pixels this far from the skin model
# that join an occluder found outside that margin are its continuation (_strands_across_features);
# the eyes and brows themselves, grown by STRAND_PARTS_GROW eye distances, stay the person's.
Z_STRAND = 3.0
STRAND_PARTS_GROW = 0.02
STRAND_EYES_GROW = 0.12
CHEEKS_AND_NOSE = [116, 117, 118, 119, 100, 47, 6, 197, 195, 5, 4, 1, 277, 329, 348, 347, 346, 345,
                   187, 205, 425, 411, 207, 427]
# An occluder is named in the result when it covers this share of the face (the colour model
# marks a few stray pixels on most faces).
NAMED_SHARE = 0.02
RIM_GROW = 0.035  # of the eye distance: how far past a reference's frame the painting-out reaches
# A reference's spectacle frame as worn (spectacles_mask), in eye distances: how far from the
# traced frame dark lines are looked for, the black-hat's kernel (wider than the thickest
# frame), and how far past the found frame the painting reaches; the black-hat's grey levels.
FRAME_REACH = 0.08
FRAME_KERNEL = 0.12
FRAME_GROW = 0.012
FRAME_DARK = 22
# A lens is at least this wide (eye distances) to be evened out, and its light changed at most by
# this factor (a mirrored lens hides skin no gain recovers).
LENS_MIN = 0.15
LENS_GAIN_MAX = 1.35
# Of the frame inpainted along lines, the detail finer than LINES_WIDTH (eye distances) is kept
# over the smooth fill where the frame crosses a brow (within BROW_LINES_REACH of it, feathered):
# the brow's hairs carried across. Kept everywhere, it kept the step where the inpainting from
# the lens met the inpainting from the cheek: the lenses' outlines, faint goggles in every
# portrait (looked at, bench/hard_cases.py's references with spectacles). dlib reads those as
# the glasses all of these people's photos have: without them the held-out people with
# spectacles came 0.04-0.05 further from their avatars (bench/engine.py --quick, held out
# 63 % -> 51 % within 0.40), a likeness to the glasses, not to the face.
LINES_WIDTH = 0.04
BROW_LINES_REACH = 0.08
BROW_LINES_FEATHER = 0.03
# The share of a reference face covered from which a portrait made from it warns (bare faces of
# ../shared/data measure up to 0.035, hair over a face 0.07, spectacles 0.14-0.18).
COVER_NOTED = 0.05
HAND_SHARE = 0.002  # hands are found by their landmarks, not by colour: one at the cheek counts
# Inside the face (its outline shrunk 12 %, feathered over this share of its width) what covers
# the reference is painted from its own skin; past it the template's skin shows.
REPAIR_FEATHER = 0.04
REPAIR_WIDTH = 160.0  # px of face width at which large covered areas are inpainted


@dataclass
class Occlusion:
    warped: np.ndarray  # the reference face warped onto the template, spectacle rims painted out
    clear: np.ndarray  # float 0-1: where the reference face may show
    front: np.ndarray | None  # float 0-1: template pixels drawn over the finished face (glasses)
    # Named as "template:" or "reference:" + "spectacles", "sunglasses", "hand" or "hair"; "hair"
    # is whatever the colour model found (hair mostly, but a veil or a hat's brim too).
    found: list[str]


@dataclass(frozen=True)
class TemplateFront:
    """What is in front of a template's face, found in its work area before the face is reshaped
    (the mesh fits the eyes behind glasses there), then moved with it (fuse._reshaped)."""

    glasses: Glasses | None
    hands: np.ndarray | None  # uint8 mask of the hands
    hidden: np.ndarray  # uint8 (0-255): what the colour model finds over the skin (occlusion_mask)


def template_front(roi: np.ndarray, points: np.ndarray) -> TemplateFront:
    """The glasses and hands of the template's face at ``points`` in its work area ``roi``. Every
    try and candidate of one portrait reshapes the same work area differently; found before, they
    are found once: MediaPipe's hands cost tens of milliseconds, and glasses 20-40 ms at 1024 px
    (each of a portrait's three to five tries found them again)."""
    key = hashlib.blake2b(np.ascontiguousarray(roi[::3, ::3]).tobytes() + bytes(str(roi.shape), "ascii")
                          + np.ascontiguousarray(points[:, :2], dtype=np.float32).tobytes(), digest_size=16).digest()
    with _FRONT_LOCK:
        front = _FRONT_CACHE.get(key)
    if front is None:
        hands = find_hands(roi)
        hidden = np.round(occlusion_mask(roi, points, masks.eye_distance(points) * 2.3) * 255).astype(np.uint8)
        front = TemplateFront(glasses=find_glasses(roi, points), hands=hands_mask(hands, roi.shape) if hands else None,
                              hidden=hidden)
        for kept in (hidden, front.hands, front.glasses.mask if front.glasses is not None else None):
            if kept is not None:
                kept.setflags(write=False)  # shared by every try of the portrait
    with _FRONT_LOCK:
        _FRONT_CACHE[key] = front
        _FRONT_CACHE.move_to_end(key)
        while len(_FRONT_CACHE) > 8:
            _FRONT_CACHE.popitem(last=False)
    return front


# The tries and candidates of one portrait fuse the same template face again and again; the
# masks are read-only (fuse._reshaped moves copies).
_FRONT_CACHE: OrderedDict[bytes, TemplateFront] = OrderedDict()
_FRONT_LOCK = threading.Lock()


def occlusion_find(
    roi: np.ndarray, target: np.ndarray, warped: np.ndarray, face: AvatarFace, face_width: float,
    glasses: Glasses | None = None, hands: np.ndarray | None = None, *, hidden: np.ndarray | None = None,
) -> Occlusion:
    """Occluders of the template's face (``roi``, its landmarks now at ``target``, wearing
    ``glasses``, ``hands`` and what the colour model found, ``hidden``, in front: template_front,
    moved with the face) and of the reference ``face`` (``warped`` onto the same landmarks)."""
    found: list[str] = []
    outline = masks.face_mask(target, roi.shape).astype(np.float32) / 255.0
    area = max(float(outline.sum()), 1.0)

    # The colour model's mask over the template's skin: found in the work area before the face
    # moved (template_front, once a portrait) and moved with it, when given.
    in_front = occlusion_mask(roi, target, face_width) if hidden is None else hidden.copy()
    front = None
    if glasses is not None:
        # The new face goes under the whole frame; the frame itself is drawn back over it.
        front = glasses.mask
        in_front *= 1.0 - masks.blur_wide(masks.grow_mask((front > 0.1).astype(np.uint8) * 255,
                                                           face_width * 0.03).astype(np.float32) / 255, 2.0)
        found.append(f"template:{glasses.kind}")
    if _share(in_front, outline, area) > NAMED_SHARE:
        found.append("template:hair")
    hand = masks.feather(hands, face_width * 0.01) if hands is not None else None
    if hand is not None and _share(hand, outline, area) > HAND_SHARE:
        in_front = np.maximum(in_front, hand)
        found.append("template:hand")

    blocked, covered, warped = _reference_blocked(face, target, warped, found)
    colour = occlusion_mask(warped, target, face_width, strict=True)
    if _share(colour, outline, area) > NAMED_SHARE:
        found.append("reference:hair")
    # Inside the face a hand over the reference is painted from the reference's own skin around
    # it, and the new face stays whole there: the template's face let through instead showed its
    # own eyes and mouth at partial strength, a ghost of two faces. What the colour model finds
    # (strands, shadows, a beard's edge: mostly thin or at the rim) still lets the template's
    # skin through: painted out as well, it took the portraits within 0.40 of their avatar from
    # 90 % to 86 % (bench/engine.py --quick), the smooth paint costing more likeness than the
    # template's real skin.
    inner = masks.feather(masks.face_mask(target, roi.shape, region="face"), face_width * REPAIR_FEATHER)
    repair = covered * inner
    if float(repair.max(initial=0.0)) > 0.1:
        warped = repair_reference(warped, (repair > 0.1).astype(np.uint8) * 255, face_width)
    blocked = np.maximum(blocked, np.maximum(covered * (1.0 - inner), colour))
    # What is left blocked is replaced by the template's own skin there before anything is
    # blended: a blend that spreads light and colour across its mask's holes spreads skin.
    ys, xs = np.nonzero(blocked > 1e-3)
    if len(ys):
        box = np.s_[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        part, weight = warped[box].astype(np.float32), blocked[box][:, :, None]
        warped = warped.copy()
        warped[box] = np.clip(part + weight * (roi[box] - part) + 0.5, 0, 255).astype(np.uint8)
    return Occlusion(warped=warped, clear=(1.0 - in_front) * (1.0 - blocked), front=front, found=found)


def _share(mask: np.ndarray, outline: np.ndarray, area: float) -> float:
    return float((mask * outline).sum()) / area


def _reference_blocked(
    face: AvatarFace, target: np.ndarray, warped: np.ndarray, found: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference's sunglasses (the template's eyes must show there) and hands (to paint
    out) warped onto ``target``, and ``warped`` with its spectacle rims painted out (thin lines
    inpaint cleanly from the skin around them)."""
    blocked = np.zeros(warped.shape[:2], np.float32)
    covered = np.zeros(warped.shape[:2], np.float32)
    layers = np.zeros(face.crop.shape, np.uint8)
    hands = reference_hands(face)
    if hands:
        layers[:, :, 0] = hands_mask(hands, face.crop.shape)
    glasses = _reference_glasses(face)
    if glasses is not None:
        # Grown: a frame's shadow and the line where it meets the skin go with it.
        frame = (glasses.mask > 0.1).astype(np.uint8) * 255
        layers[:, :, 1] = masks.grow_mask(frame, RIM_GROW * masks.eye_distance(face.points))
    if not layers.any():
        return blocked, covered, warped
    moved, _ = mesh_warp(layers, face.points, target, (warped.shape[1], warped.shape[0]))
    if moved[:, :, 0].any():
        covered = moved[:, :, 0].astype(np.float32) / 255.0
        found.append("reference:hand")
    if glasses is not None and moved[:, :, 1].any():
        # Spectacles were painted out of the crop itself (reference_crop); sunglasses hide the
        # eyes, which no painting brings back: the template's own eyes show there.
        found.append(f"reference:{glasses.kind}")
        if glasses.kind == "sunglasses":
            blocked = np.maximum(blocked, (moved[:, :, 1] > 127).astype(np.float32))
    return blocked, covered, warped


def reference_cover(face: AvatarFace) -> float:
    """The share of the reference face that something covers (its hands, glasses, and what the
    colour model takes for hair), measured once per face and kept in ``info["cover"]`` (faces
    of avatars saved before this are measured on first use)."""
    if "cover" not in face.info:
        shape = face.crop.shape
        eyes = masks.eye_distance(face.points)
        cover = occlusion_mask(face.crop, face.points, eyes * 2.3, strict=True)
        hands = reference_hands(face)
        if hands:
            cover = np.maximum(cover, hands_mask(hands, shape).astype(np.float32) / 255.0)
        glasses = _reference_glasses(face)
        if glasses is not None:
            frame = masks.grow_mask((glasses.mask > 0.1).astype(np.uint8) * 255, RIM_GROW * eyes)
            cover = np.maximum(cover, frame.astype(np.float32) / 255.0)
        outline = masks.face_mask(face.points, shape).astype(np.float32) / 255.0
        face.info["cover"] = round(_share(cover, outline, max(float(outline.sum()), 1.0)), 4)
    return float(face.info["cover"])


def reference_occluders(face: AvatarFace) -> list[str]:
    """What covers the reference ``face`` enough to leave traces in a portrait made from it:
    "spectacles" or "sunglasses", "hand", and "hair" (whatever the colour model takes for hair,
    a cap's brim too) where it covers COVER_NOTED of the face or more."""
    glasses = _reference_glasses(face)
    found = [glasses.kind] if glasses is not None else []
    if reference_hands(face):
        found.append("hand")
    if not found and reference_cover(face) >= COVER_NOTED:
        found.append("hair")
    return found


def reference_crop(face: AvatarFace) -> np.ndarray:
    """The reference face's crop to fuse, made once per face: its shine taken down (the light of
    the reference's photo, not the template's: fusion.shine) and, with spectacles, their frame
    painted out (the eyes behind the lenses stay the reference's own, untouched)."""
    return face_cached(face, "crop", _crop_made)


def _crop_made(face: AvatarFace) -> np.ndarray:
    glasses = _reference_glasses(face)
    crop = shine_tamed(face.crop, face.points)
    if glasses is not None and glasses.kind == "spectacles":
        crop = spectacles_removed(crop, face.points, glasses)
    return crop


def face_cached(face: AvatarFace, name: str, make: Callable[[AvatarFace], T]) -> T:
    """``make(face)``, made once for each reference face while its crop lives: every try and
    candidate of a portrait fuses the same faces again."""
    key = id(face.crop)
    known = _FACE_CACHE.get(key)
    if known is None or known[0]() is not face.crop:
        # The cache is bound now: at interpreter exit the module's globals are None when the callback runs.
        known = (weakref.ref(face.crop, lambda _, key=key, cache=_FACE_CACHE: cache.pop(key, None)), {})
        _FACE_CACHE[key] = known
    if name not in known[1]:
        known[1][name] = make(face)
    return known[1][name]


_FACE_CACHE: dict[int, tuple[weakref.ref, dict[str, object]]] = {}


def spectacles_mask(crop: np.ndarray, points: np.ndarray, glasses: Glasses) -> np.ndarray:
    """uint8 mask of a spectacle frame as worn, not as traced: glasses.py draws the rims at most
    6 px (band scale) thick, and a thick frame's outer half left behind inpaints into dark
    smears. So near the traced frame every thin dark line (black-hat) is taken, except the
    eyes and brows themselves (lashes and brows are dark lines too)."""
    eyes = masks.eye_distance(points)
    traced = (glasses.mask > 0.1).astype(np.uint8) * 255
    zone = masks.grow_mask(traced, FRAME_REACH * eyes)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    size = max(int(FRAME_KERNEL * eyes) | 1, 5)
    line = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    frame = ((line > FRAME_DARK) & (zone > 0)).astype(np.uint8) * 255
    frame = cv2.bitwise_or(frame, masks.grow_mask(traced, RIM_GROW * eyes))
    frame = masks.grow_mask(frame, FRAME_GROW * eyes)
    keep = masks.parts_mask(points, frame.shape, [lm.RIGHT_BROW, lm.LEFT_BROW])
    keep[traced > 0] = 0  # a brow under the frame itself is painted with it: left, it smears dark
    keep |= masks.parts_mask(points, frame.shape, [lm.RIGHT_EYE, lm.LEFT_EYE])
    frame[keep > 0] = 0
    return frame


def spectacles_removed(crop: np.ndarray, points: np.ndarray, glasses: Glasses) -> np.ndarray:
    """``crop`` without the spectacles worn at ``points``: the light each lens adds or takes from the
    skin behind it (tint, haze, glare) evened out to the skin around the frame, then the frame
    filled from around it (fill.py: smooth, with the lines inpainting carries across the brows).
    Before, the frame was only inpainted, from both sides, the lens's lighter inside included:
    streaks, and the lenses' outlines stayed, a ghost of the rims in every portrait."""
    eyes = masks.eye_distance(points)
    frame = spectacles_mask(crop, points, glasses)
    lenses = _lens_insides(frame, eyes)
    if lenses.any():
        crop = _lens_light_evened(crop, frame, lenses, points, eyes)
    lines = cv2.inpaint(crop, frame, 5, cv2.INPAINT_NS)
    brows = masks.parts_mask(points, frame.shape, [lm.RIGHT_BROW, lm.LEFT_BROW])
    near_brows = masks.feather(masks.grow_mask(brows, BROW_LINES_REACH * eyes), BROW_LINES_FEATHER * eyes)
    return fill_smooth(crop, frame, lines=lines, lines_width=LINES_WIDTH * eyes, lines_where=near_brows)


def _lens_insides(frame: np.ndarray, eyes: float) -> np.ndarray:
    """uint8 mask of what the frame encloses (what the border cannot reach without crossing it),
    leaving out gaps in the frame's own mask, far smaller than a lens."""
    reached = frame.copy()
    cv2.floodFill(reached, np.zeros((frame.shape[0] + 2, frame.shape[1] + 2), np.uint8), (0, 0), 255)
    enclosed = np.where(reached == 0, 255, 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(enclosed)
    lenses = np.zeros_like(enclosed)
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] >= (LENS_MIN * eyes) ** 2:
            lenses[labels == label] = 255
    return lenses


def _lens_light_evened(crop: np.ndarray, frame: np.ndarray, lenses: np.ndarray, points: np.ndarray,
                       eyes: float) -> np.ndarray:
    """``crop`` with each lens's skin brought to the level of the skin just outside the frame, by
    one gain per lens and channel (medians: glare and a brow's edge do not move them). The eyes
    are left out of the measure, not of the gain: they are seen through the same glass."""
    eye_parts = masks.grow_mask(masks.parts_mask(points, frame.shape, [lm.RIGHT_EYE, lm.LEFT_EYE]), 0.08 * eyes)
    beyond_glass = cv2.bitwise_not(masks.grow_mask(cv2.bitwise_or(lenses, frame), 0.02 * eyes))
    image = crop.astype(np.float32)
    gain = np.ones_like(image)
    count, labels = cv2.connectedComponents(lenses)
    for label in range(1, count):
        lens = np.where(labels == label, 255, 0).astype(np.uint8)
        behind = (lens > 0) & (eye_parts == 0)
        around = (masks.grow_mask(lens, 0.2 * eyes) > 0) & (beyond_glass > 0)
        if behind.sum() < 50 or around.sum() < 50:
            continue
        ratio = (np.median(image[around], axis=0) + 1.0) / (np.median(image[behind], axis=0) + 1.0)
        gain[lens > 0] = np.clip(ratio, 1.0 / LENS_GAIN_MAX, LENS_GAIN_MAX)
    weight = masks.feather(masks.grow_mask(lenses, 0.02 * eyes), 0.02 * eyes)[:, :, None]
    return np.clip(image * (1.0 + weight * (gain - 1.0)) + 0.5, 0, 255).astype(np.uint8)


def repair_reference(warped: np.ndarray, mask: np.ndarray, face_width: float) -> np.ndarray:
    """``warped`` with the area of ``mask`` (uint8) painted from the reference's skin around it.

    Grown a little (an occluder's shadow and soft edge go with it) and inpainted at about
    REPAIR_WIDTH px of face width: a large area inpaints to a smooth gradient anyway, and at
    full size it costs several times as much; the skin's grain is matched later (texture.py).
    """
    grown = masks.grow_mask(mask, face_width * 0.01)
    ys, xs = np.nonzero(grown)
    pad = max(int(face_width * 0.03), 4)
    y0, y1 = max(ys.min() - pad, 0), min(ys.max() + pad + 1, warped.shape[0])
    x0, x1 = max(xs.min() - pad, 0), min(xs.max() + pad + 1, warped.shape[1])
    part, hole = np.ascontiguousarray(warped[y0:y1, x0:x1]), grown[y0:y1, x0:x1]
    factor = max(face_width / REPAIR_WIDTH, 1.0)
    if factor > 1.2:
        size = (max(round(part.shape[1] / factor), 1), max(round(part.shape[0] / factor), 1))
        # Every small pixel a strand touches is painted: an averaged-in strand would come back.
        small_hole = (cv2.resize(hole, size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8) * 255
        small = cv2.inpaint(cv2.resize(part, size, interpolation=cv2.INTER_AREA), small_hole, 3, cv2.INPAINT_TELEA)
        painted = cv2.resize(small, (part.shape[1], part.shape[0]), interpolation=cv2.INTER_LINEAR)
    else:
        painted = cv2.inpaint(part, hole, 3, cv2.INPAINT_TELEA)
    soft = cv2.GaussianBlur(hole.astype(np.float32) / 255.0, (0, 0), max(face_width * 0.004, 0.8))[:, :, None]
    soft = np.maximum(soft, (hole > 0)[:, :, None].astype(np.float32))
    out = warped.copy()
    out[y0:y1, x0:x1] = np.clip(part + soft * (painted.astype(np.float32) - part) + 0.5, 0, 255).astype(np.uint8)
    return out


def reference_hands(face: AvatarFace) -> list[np.ndarray]:
    """The hands over a reference face, crop pixels: found when the avatar was built
    (``info["hands"]``), or now, once, for an avatar saved before that."""
    if "hands" not in face.info:
        face.info["hands"] = [np.round(h, 1).tolist() for h in find_hands(face.crop)]
    return [np.asarray(h, np.float32) for h in face.info["hands"]]


def _reference_glasses(face: AvatarFace) -> Glasses | None:
    """A reference face is fused into every candidate and template: its glasses are found once."""
    return face_cached(face, "glasses", lambda face: find_glasses(face.crop, face.points))


def occlusion_mask(template: np.ndarray, points: np.ndarray, face_width: float, *, strict: bool = False) -> np.ndarray:
    """Float mask (0-1) of what hides the skin of the face at ``points`` (colour against skin;
    ``strict`` for a reference face: see Z_REFERENCE)."""
    box = masks.points_box(points, template.shape, margin=2)
    result = np.zeros(template.shape[:2], np.float32)
    crop = template[box]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return result
    local = masks.in_box(points, box)
    skin = skin_distance(crop, local, strict=strict)
    if skin is None:
        return result
    hidden = (np.abs(skin.z).max(axis=2) > (Z_REFERENCE if strict else Z_OCCLUDED)).astype(np.uint8) * 255
    if strict:  # a reference's beard is its own
        busyness = _Busyness.of(skin.lab[:, :, 0], skin.core, face_width)
        hidden[_beard(busyness, local, skin.z[:, :, 0], skin.lab[:, :, 2])] = 0
        hidden = cv2.bitwise_or(hidden, _busy_above_nose(busyness, local))
    face = masks.face_mask(local, crop.shape)
    face[skin.features > 0] = 0
    hidden = cv2.bitwise_and(hidden, face)
    # Specks are texture, not occluders: keep only solid areas.
    size = max(3, int(face_width * 0.03)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    hidden = cv2.morphologyEx(hidden, cv2.MORPH_OPEN, kernel)
    hidden = cv2.morphologyEx(hidden, cv2.MORPH_CLOSE, kernel)
    if strict:
        hidden = _strands_across_features(hidden, skin, local)
    result[box] = hidden.astype(np.float32) / 255.0
    return masks.blur_wide(result, face_width * 0.015)


@dataclass
class SkinDistance:
    """How far each pixel of a face's image is from its skin's colour."""

    rgb: np.ndarray  # the image measured
    z: np.ndarray  # h x w x 3: signed robust z-score of L, a and b against the skin's median
    lab: np.ndarray  # the image in CIELAB
    core: np.ndarray  # uint8: where the skin's colour was learnt
    features: np.ndarray  # uint8: eyes, brows and lips, grown by 0.15 eye distances, never tested


def skin_distance(rgb: np.ndarray, points: np.ndarray, *, strict: bool) -> SkinDistance | None:
    """Each pixel of ``rgb`` (the face at ``points``) against the skin's colour, learnt from the
    face without its features (``strict``, a reference face: from its cheeks and nose only);
    None when too few pixels show."""
    lab = to_lab(rgb)
    features = masks.features_mask(points, rgb.shape, grow=0.15)
    if strict:
        core = np.zeros(lab.shape[:2], np.uint8)
        cv2.fillConvexPoly(core, cv2.convexHull(np.round(points[CHEEKS_AND_NOSE, :2]).astype(np.int32)), 255)
    else:
        core = masks.face_mask(points, lab.shape, region="face")
    core[features > 0] = 0
    samples = lab[core > 0]
    if len(samples) < 100:
        return None
    median = np.median(samples, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(samples - median), axis=0), SPREAD_FLOOR)
    return SkinDistance(rgb=rgb, z=(lab - median) / spread, lab=lab, core=core, features=features)


@dataclass
class _Busyness:
    """How busy a face's fine detail is, box by box (``busy``), against the median over its
    cheeks and nose (``level``): measured once for the two rules that read it."""

    busy: np.ndarray
    level: float
    side: int  # px: the box

    @classmethod
    def of(cls, lightness: np.ndarray, core: np.ndarray, face_width: float) -> _Busyness:
        detail = np.abs(lightness - cv2.GaussianBlur(lightness, (0, 0), max(face_width * 0.01, 1.0)))
        side = max(int(face_width * 0.05) | 1, 3)
        busy = cv2.blur(detail, (side, side))
        return cls(busy=busy, level=float(np.median(busy[core > 0])) if core.any() else 0.0, side=side)

    def over(self, ratio: float) -> np.ndarray:
        return self.busy > ratio * self.level + 1.5


def _busy_above_nose(busyness: _Busyness, points: np.ndarray) -> np.ndarray:
    """Where the detail above the nose tip is far busier than the cheeks' (strands of hair)."""
    mask = busyness.over(TEXTURE_RATIO).astype(np.uint8) * 255
    mask[int(max(points[1, 1], 0)) :] = 0
    return mask


def _around_mouth(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Where a beard or stubble grows on every bearded face: from below the nose to the chin,
    between the mouth's corners, the lips left out (hair at the rim falls outside it)."""
    lips = masks.hull_mask(points, shape, lm.LIPS_OUTER)
    zone = np.zeros(shape[:2], bool)
    x0, x1 = sorted((points[lm.MOUTH_RIGHT, 0], points[lm.MOUTH_LEFT, 0]))
    y0, y1 = points[2, 1], points[152, 1]  # 2: below the nose tip; 152: the chin
    zone[max(int(y0), 0) : max(int(y1), 0), max(int(x0), 0) : max(int(x1), 0)] = True
    return zone & (lips == 0)


def _strands_across_features(hidden: np.ndarray, skin: SkinDistance, points: np.ndarray) -> np.ndarray:
    """``hidden`` (uint8) grown into the margin around the eyes and brows that the colour model
    never tests, where what is not skin there joins something hidden outside it: a strand of hair
    falling from a temple across a brow's end to the eye's corner was found above and below the
    margin and left across it, a grey streak over the new face's brow. Eyes and brows themselves,
    and what joins nothing hidden (eye make-up, a brow's edge), stay."""
    if not hidden.any():  # nothing for a strand to join: most faces
        return hidden
    reach = masks.eye_distance(points)
    eyes = masks.parts_mask(points, hidden.shape, [lm.RIGHT_EYE, lm.LEFT_EYE])
    parts = eyes | masks.parts_mask(points, hidden.shape, [lm.RIGHT_BROW, lm.LEFT_BROW])
    margin = (skin.features > 0) & (masks.grow_mask(parts, STRAND_PARTS_GROW * reach) == 0)
    margin &= masks.face_mask(points, hidden.shape) > 0
    # Eye make-up, lids and lashes, above and below the eyes, stay too.
    margin &= masks.eye_area_mask(points, hidden.shape) == 0
    margin &= masks.grow_mask(eyes, STRAND_EYES_GROW * reach) == 0
    unlike = margin & (np.abs(skin.z).max(axis=2) > Z_STRAND)
    if not unlike.any():
        return hidden
    joined = (unlike | (hidden > 0)).astype(np.uint8)
    count, labels = cv2.connectedComponents(joined)
    reached = np.zeros(count, bool)
    reached[np.unique(labels[hidden > 0])] = True
    reached[0] = False
    out = hidden.copy()
    out[unlike & reached[labels]] = 255
    return out


def _beard(busyness: _Busyness, points: np.ndarray, lightness_z: np.ndarray, blue_yellow: np.ndarray) -> np.ndarray:
    """Below the nose tip, what is far busier than the cheeks (stubble, a beard): the person's
    own, where the skin around the mouth is busy or dark too (a face with a beard); on a smooth,
    even chin what is busy there is a strand of hair at the rim (``lightness_z``: the lightness's
    distance from the skin model, in robust spreads). Not what is blue (``blue_yellow``: CIELAB's
    b), which no hair is (see BEARD_BLUE)."""
    mask = busyness.over(BEARD_RATIO).astype(np.uint8)
    around = _around_mouth(points, mask.shape)
    if not around.any():
        return np.zeros(mask.shape, bool)
    if mask[around].mean() < BEARD_BUSY and np.median(lightness_z[around]) > BEARD_DARK:
        return np.zeros(mask.shape, bool)
    mask[: int(max(points[1, 1], 0))] = 0
    # A beard is busy throughout; the edge of a smooth occluder (a microphone, a scarf) makes
    # a band of detail about one box wide, which the opening takes away.
    size = busyness.side | 1
    beard = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    return (beard > 0) & (cv2.blur(blue_yellow, (size, size)) >= BEARD_BLUE)
