"""Face fusion of one avatar face into one template face, done classically.

The seeds' chain, step by step: crop around the template face; a 3D keypoint-aligned warp of
the reference face onto the template's pose; a mask drawn from the landmarks; the colour shift
(LAB statistics on skin); the template's light carried onto the avatar's features
(``more_like_me``); multi-band blending (blend.py); the last colour shift; retouching, make-up
and enhancement restricted to the face; the skin's pores, lines and grain matched to the
template's (texture.py). The template outside the face stays as it was.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from .. import masks
from ..color import from_lab, lab_stats, match_chroma_slope, to_lab, transfer_lab
from ..enhance import photo_fix, unsharp
from ..faces import landmarks as lm
from ..faces.align import fit_similarity_3d
from ..faces.glasses import Glasses
from ..identity import AvatarFace
from ..makeup import transfer_makeup
from ..options import PortraitOptions
from ..retouch import retouch_skin
from .blend import band_weights, multiband_blend
from .companions import companions_blended
from .forehead import fringe_free_crop
from .occlusion import TemplateFront, occlusion_find, template_front
from .texture import match_detail, match_grain
from .warp import liquify, mesh_warp

# Rigid parts of the head (no jaw, no lips): the 3D fit must not follow an open mouth.
_RIGID = np.array(
    sorted(set(lm.RIGHT_EYE + lm.LEFT_EYE + lm.RIGHT_BROW + lm.LEFT_BROW + lm.NOSE + lm.FACE_OVAL[:9] + lm.FACE_OVAL[-9:]
               + [lm.FOREHEAD, 234, 454, 93, 323]))
)
PROCESS_FACE_WIDTH = 400  # px: crop_face_preprocess works on the face at about this width
ROI_FACTOR = 1.8  # the work area around the face, relative to its size
LIQUIFY_RING = 1.3  # the template moves inside its face outline scaled this much, not beyond
# Of the forehead above the brows, this share is the avatar's. The whole of it, now that the
# occlusion mask keeps fringes and hairlines in front (0.45 -> 0.7 -> 1.0 took the portraits
# within 0.40 of their avatar from 62 % to 65 % to 76 % on a 9 x 11 sample of ../shared/data).
FOREHEAD_KEEP = 1.0
# Multi-band blending (blend.py), in face widths: the low-pass scales that split the new face's
# difference to the template into bands, and how far inside the mask's outer edge each band
# takes to fade in. Detail fades in with the mask's own feather, light and colour over up to
# 0.16 face widths. Wider costs likeness: the avatar's shading near the outline is part of its
# face's shape. bench/engine.py --quick, plain feathering / these / 0.06-0.20: portraits within
# 0.40 of their avatar 92 / 90 / 86 %, seam figure (bench/seams.py) 5.2 / 4.3 / 4.1.
BAND_SCALES = (0.015, 0.05, 0.12)
BAND_RAMPS = (0.05, 0.10, 0.16)
# Face widths around the landmarks' box that the face's work reads: the finishing blurs reach a
# few pixels; the light's low-pass (a tenth of a face width) reads the skin only, inside it.
FACE_BOX_MARGIN = 0.1
# The lips keep this share of their own colour (a, b) when the face takes the template skin's: lips
# differ from the skin around them by being redder and less yellow, and by the skin's shift a dark
# face's lips lifted to a pale template lost the little colour that told them from the skin
# (Obama onto easyphoto/3.jpg: lips a 22, b 16 on skin a 22, b 27 became a 13, b 10 on a 12, 18, a
# grey-lilac; now a 19, b 14, rose). A pale face's lips barely move either way. bench/engine.py
# --quick-sized runs, 0 -> 0.7: held out 53.1 % within 0.40 either way (median 0.3949 -> 0.3932);
# the tuned people 96.8 -> 95.2 % (one portrait of 63 past 0.40; median 0.3489 -> 0.3549). Biden's
# smiling reference lost its lead to a closed-mouth one (his median 0.41 -> 0.45, none within 0.40
# before or after).
LIPS_OWN = 0.7
# Above the brows the mask's edge runs through bare skin (short hair, receding hairlines), not
# along a jaw that hides it, and the forehead's shading says little about who it is: there the
# bands fade in over up to 1 + FOREHEAD_WIDEN times the width.
FOREHEAD_WIDEN = 2.0
# A reference's mouth open this much more than the template's (lip gap / mouth width,
# landmarks.mouth_opening) is closed to the template's opening: speech and shouts (0.4 and more),
# not smiles. Smiles with teeth measure 0.14-0.25 on ../shared/data and most templates 0-0.01;
# closed from 0.06 up, bench/engine.py --quick went from 98 % to 89 % of portraits within 0.40
# of their avatar: a smile is part of how a face is known, and on a composed template a grin
# still reads as a smile, where speech reads as a grimace.
MOUTH_CLOSE_MIN = 0.3
# The lips' meeting line, as a share of the lips' own lightness at its middle, drawn 1.5 % of the
# mouth's width across and blurred by 1 %. Looked at 3x on the strong turn: at 0.45, 2 % and
# 0.6 % it was a hard black rule, drawn with a pen; real lips meet in a soft shadow.
MOUTH_LINE_SHADE = 0.5
# The lips' landmarks in rings from the outer line to the inner one, each from the right corner
# to the left; the corners (61, 76, 62, 78 and 291, 306, 292, 308) stay with the upper lip.
UPPER_LIP = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 76, 184, 74, 73, 72, 11, 302, 303, 304, 408, 306,
             62, 183, 42, 41, 38, 12, 268, 271, 272, 407, 292, 78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
# ... and by column, each ring from the right corner to the left, outer to inner above and inner
# to outer below.
UPPER_RINGS = [[185, 40, 39, 37, 0, 267, 269, 270, 409], [184, 74, 73, 72, 11, 302, 303, 304, 408],
               [183, 42, 41, 38, 12, 268, 271, 272, 407], [191, 80, 81, 82, 13, 312, 311, 310, 415]]
LOWER_RINGS = [[95, 88, 178, 87, 14, 317, 402, 318, 324], [96, 89, 179, 86, 15, 316, 403, 319, 325],
               [77, 90, 180, 85, 16, 315, 404, 320, 307], [146, 91, 181, 84, 17, 314, 405, 321, 375]]
# What the rings next to the inner line enclose: the open mouth's inside, with the teeth's edges
# and the dark corners that the inner line leaves out.
MOUTH_INSIDE = [62, 183, 42, 41, 38, 12, 268, 271, 272, 407, 292, 325, 319, 403, 316, 15, 86, 179, 89, 96]


@dataclass
class Fused:
    image: np.ndarray  # the whole template with the face replaced
    alpha: np.ndarray  # float 0-1 over the whole template: how much of each pixel is new
    target_points: np.ndarray  # where the face's landmarks now are, template pixels
    occluders: list[str] = field(default_factory=list)  # found in front of either face (occlusion.py)


def fuse_face(
    template: np.ndarray, template_points: np.ndarray, face: AvatarFace, options: PortraitOptions,
    companions: Sequence[AvatarFace] = (),
) -> Fused:
    """Replace the face at ``template_points`` (478 x 3) in ``template`` by the avatar ``face``,
    with the ``companions`` (other faces of the same avatar) mixed in (companions.py)."""
    x0, y0, x1, y1, scale = _work_area(template, template_points, options)
    roi = template[y0:y1, x0:x1]
    if scale != 1.0:
        roi = cv2.resize(roi, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    points = template_points.astype(np.float64).copy()
    points[:, 0] = (points[:, 0] - x0) * scale
    points[:, 1] = (points[:, 1] - y0) * scale
    points[:, 2] *= scale

    target = _target_points(points, face.points, options)
    closed = _mouth_closed(target, points)
    shut = closed is not target  # a speaking reference's mouth, closed as the template's
    crop = _mouth_shut(fringe_free_crop(face), face.points) if shut else fringe_free_crop(face)
    target = closed
    # The template's own face moves to the new shape first, so its jaw and cheeks never show
    # beside a narrower or wider avatar face.
    # The template's glasses and hands are found before the face moves (the mesh fits the eyes
    # behind the glasses there, and every try of the portrait finds the hands once) and move
    # with it as more channels.
    front = template_front(roi, points)
    roi, glasses, hands, hidden, moved = _reshaped(roi, points, target, front)
    warped, coverage = mesh_warp(crop, face.points, target, (roi.shape[1], roi.shape[0]))
    if shut:
        warped = _lips_meet(warped, target)
    else:  # a mouth closed by hand is the reference's alone
        warped = companions_blended(warped, coverage, target, face, companions)
    face_width = masks.eye_distance(target) * 2.3
    # Whatever is not skin is kept out: on the template (fringe, veil, hand) the template
    # stays in front; on the avatar (background or hair at the edge of the reference face)
    # the template's skin shows instead.
    occlusion = occlusion_find(roi, target, warped, face, face_width, glasses, hands, hidden=hidden)
    warped, clear = occlusion.warped, occlusion.clear
    alpha = _blend_mask(target, roi.shape, options.mask_region, face_width) * clear
    alpha = cv2.GaussianBlur(alpha, (0, 0), max(face_width * 0.01, 0.5)) * _within(coverage, face_width)
    upscaled = face_width / max(masks.eye_distance(face.points) * 2.3, 1.0)

    # From here to the glasses only the face's box is worked on (its landmarks, grown by the
    # blurs' reach): the blend mask lies inside the face's outline, so outside that box the
    # portrait is the reshaped template, and the box is under half of the work area.
    box = masks.points_box(target, roi.shape, margin=int(face_width * FACE_BOX_MARGIN) + 8)
    local = masks.in_box(target, box)
    out = roi.copy()
    out[box] = _face_made(warped[box], roi[box], local, alpha[box], clear[box], options, face_width, upscaled)

    if occlusion.front is not None:
        # The template's glasses, whole, over the new face.
        front = occlusion.front[:, :, None]
        out = np.clip(out * (1.0 - front) + roi * front + 0.5, 0, 255).astype(np.uint8)

    changed = (alpha > 1e-3) | moved
    if scale != 1.0:
        out = cv2.resize(out, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA if scale > 1 else cv2.INTER_CUBIC)
        alpha = cv2.resize(alpha, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        changed = cv2.resize(changed.astype(np.uint8), (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST) > 0
        changed = cv2.dilate(changed.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    out = _match_grain(out, template[y0:y1, x0:x1], target, alpha, scale, face_width)
    result = template.copy()
    # Only pixels the face or its reshaping touch change: the rest stays byte for byte.
    region = result[y0:y1, x0:x1]
    region[changed] = out[changed]
    full_alpha = np.zeros(template.shape[:2], np.float32)
    full_alpha[y0:y1, x0:x1] = alpha
    target_full = target.copy()
    target_full[:, 0] = target[:, 0] / scale + x0
    target_full[:, 1] = target[:, 1] / scale + y0
    target_full[:, 2] /= scale
    return Fused(image=result, alpha=full_alpha, target_points=target_full.astype(np.float32), occluders=occlusion.found)


def _face_made(
    warped: np.ndarray, roi: np.ndarray, target: np.ndarray, alpha: np.ndarray, clear: np.ndarray,
    options: PortraitOptions, face_width: float, upscaled: float,
) -> np.ndarray:
    """The new face over the template (``roi``, all in the face's box): recoloured, blended band
    by band, its colour evened at the seam, enhanced and given the template's skin texture."""
    fused = _recolour(warped, roi, target, clear, options, face_width)
    weights = band_weights(alpha, [r * face_width for r in BAND_RAMPS], widen=_forehead_widen(target, roi.shape))
    out = multiband_blend(roi, fused, weights, [s * face_width for s in BAND_SCALES])
    if options.color_shift_last:
        out = _last_colour_shift(out, roi, target, alpha)
    return _finish(out, roi, target, alpha, clear, options, face_width, upscaled)


def _reshaped(
    roi: np.ndarray, points: np.ndarray, target: np.ndarray, front: TemplateFront
) -> tuple[np.ndarray, Glasses | None, np.ndarray | None, np.ndarray, np.ndarray]:
    """The template's work area liquified from ``points`` to ``target``, what is in front of its
    face (``front``: the colour model's mask, glasses, hands) moved with it as more channels of
    the same warp; and the mask of the pixels moved."""
    glasses = front.glasses
    kept = [front.hidden] + ([np.round(glasses.mask * 255).astype(np.uint8)] if glasses is not None else []) + (
        [front.hands] if front.hands is not None else [])
    layers, moved = liquify(np.dstack([roi, *kept]), points, target, anchor_radius=LIQUIFY_RING)
    hidden = layers[:, :, 3].astype(np.float32) / 255.0
    channels = iter(range(4, layers.shape[2]))
    if glasses is not None:
        glasses = Glasses(kind=glasses.kind, mask=layers[:, :, next(channels)].astype(np.float32) / 255.0)
    hands = np.ascontiguousarray(layers[:, :, next(channels)]) if front.hands is not None else None
    return np.ascontiguousarray(layers[:, :, :3]), glasses, hands, hidden, moved


def _work_area(template: np.ndarray, points: np.ndarray, options: PortraitOptions):
    height, width = template.shape[:2]
    xs, ys = points[:, 0], points[:, 1]
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    half = ROI_FACTOR * max(xs.max() - xs.min(), ys.max() - ys.min()) / 2
    x0, y0 = int(max(cx - half, 0)), int(max(cy - half, 0))
    x1, y1 = int(min(cx + half, width)), int(min(cy + half, height))
    scale = 1.0
    if options.crop_face_preprocess:
        # Work on the face at a fixed size: small template faces get room for the avatar's
        # detail, huge ones cost no more time than needed.
        face_width = masks.eye_distance(points) * 2.3
        scale = float(np.clip(PROCESS_FACE_WIDTH / max(face_width, 1.0), 0.5, 2.5))
        if abs(scale - 1.0) < 0.1:
            scale = 1.0
    return x0, y0, x1, y1, scale


def _target_points(template: np.ndarray, avatar: np.ndarray, options: PortraitOptions) -> np.ndarray:
    """Where the avatar's landmarks go: its own proportions in the template's pose.

    ``more_like_me_before`` moves the inner features from the template's places (0) to the
    avatar's (1); the outline stays the template's unless ``face_shape_match`` asks for the
    avatar's face shape.
    """
    aligned = fit_similarity_3d(avatar.astype(np.float64), template, _RIGID)
    centre = template[[lm.NOSE_TIP, 168], :2].mean(axis=0)
    oval = template[lm.FACE_OVAL, :2]
    radius = np.linalg.norm(oval - centre, axis=1).mean()
    r = np.linalg.norm(template[:, :2] - centre, axis=1) / max(radius, 1e-6)
    edge = masks.smooth_ramp(r - 0.55, 0.4)  # inner features 0, outline 1
    inner_weight = 0.8 + 0.2 * options.more_like_me_before
    # Geometry carries much of a face's identity. Measured on 9 avatars x 11 templates of
    # ../shared/data (share of portraits within 0.40 of the avatar): outline fixed to the
    # template 46 %; inner 0.7 / outline 0.42 of the way to the avatar 64 %; inner 0.9 / outline
    # 0.77 (these defaults) 79 %; everything the avatar's 81 %.
    outer_weight = inner_weight if options.face_shape_match else 0.85 * inner_weight
    weight = (inner_weight * (1 - edge) + outer_weight * edge)[:, None]
    target = template.copy()
    target[:, :2] = template[:, :2] + weight * (aligned[:, :2] - template[:, :2])
    target[:, 2] = aligned[:, 2]
    return target


def _mouth_closed(target: np.ndarray, template: np.ndarray) -> np.ndarray:
    """``target`` with its mouth as open as the template's where the avatar's is more open.

    A reference that laughs or speaks, warped onto a composed template, kept its open mouth and
    dropped jaw: a grimace on a calm face (bench/hard_cases.py, the strong turn). Column by
    column (the gap narrows toward the corners), the lips close to the template's gap and meet
    where the template's lips meet, measured from the corners' line: the upper lip comes down,
    the lower lip up, each ring of a lip by the same amount so the lips keep their own
    thickness. The chin and jaw rise with the lower lip's middle, from nothing at the corners'
    line to all of it at the lower lip's edge. A mouth less open than the template's is left: a
    warp cannot show teeth the reference does not have."""
    width = lm.mouth_width(target)
    if width < 1.0 or lm.mouth_opening(target) - lm.mouth_opening(template) < MOUTH_CLOSE_MIN:
        return target
    ratio = width / max(lm.mouth_width(template), 1e-6)
    upper, lower = _lip_depths(target)
    upper_t, lower_t = _lip_depths(template)
    wanted = ratio * np.maximum(lower_t - upper_t, 0.0)
    meet = ratio * (upper_t + lower_t) / 2
    # Each lip only moves toward the other: where the template's lips meet beyond one of them,
    # that one stays and the other comes the whole way.
    new_upper = np.clip(meet - wanted / 2, upper, None)
    new_lower = np.clip(new_upper + wanted, None, lower)
    new_upper = np.minimum(new_upper, new_lower - wanted)
    closing = lower - upper > wanted  # a column already as closed as the template's stays
    new_upper, new_lower = np.where(closing, new_upper, upper), np.where(closing, new_lower, lower)
    down = _down(target)
    corners = (target[lm.MOUTH_RIGHT, :2] + target[lm.MOUTH_LEFT, :2]) / 2
    below = (target[:, :2] - corners) @ down
    fade = masks.smooth_ramp(below, max(float(below[17]), 1.0))
    shift = (new_lower - lower)[len(lower) // 2] * fade  # negative: up
    shift[UPPER_LIP] = 0.0
    for ring in UPPER_RINGS:
        shift[ring] = new_upper - upper
    for ring in LOWER_RINGS:
        shift[ring] = new_lower - lower
    closed = target.copy()
    closed[:, :2] += shift[:, None] * down
    return closed


def _down(points: np.ndarray) -> np.ndarray:
    down = points[lm.CHIN, :2] - points[168, :2]
    return down / max(float(np.linalg.norm(down)), 1e-6)


def _lip_depths(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far below the mouth corners' line each column of the inner lips lies (px, along the
    face's down direction): the upper lip's, the lower lip's."""
    down = _down(points)
    corners = (points[lm.MOUTH_RIGHT, :2] + points[lm.MOUTH_LEFT, :2]) / 2
    return (points[UPPER_RINGS[-1], :2] - corners) @ down, (points[LOWER_RINGS[0], :2] - corners) @ down


def _mouth_shut(crop: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``crop`` with the inside of its open mouth (teeth, tongue, the dark behind) painted from
    the lips around it: warped shut (``_mouth_closed``) the inside shrinks to a few pixels,
    where teeth and shadow showed as a white line and black specks at the corners."""
    # The mesh's inner lip line runs along the teeth's edge, and the mouth's dark corners reach
    # past its corners: painted is what the next ring out encloses, and a little more.
    width = lm.mouth_width(points)
    inside = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(points[MOUTH_INSIDE, :2]).astype(np.int32)], 255)
    inside = masks.grow_mask(inside, max(width * 0.02, 1.0))
    return cv2.inpaint(crop, inside, 3, cv2.INPAINT_TELEA)


def _lips_meet(warped: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``warped`` where closed lips meet, made at the target's size: what the lips' inner rings
    enclose (a few pixels now, filled by the warp's thin, slanted triangles from all of the open
    mouth's height: a saw's teeth of dark and pink) painted from the lips above and below, and
    the shade along the middle where they touch."""
    width = lm.mouth_width(target)
    pad = int(width * 0.1) + 4
    box = masks.points_box(target[MOUTH_INSIDE], warped.shape, margin=pad)
    part = np.ascontiguousarray(warped[box])
    offset = np.array([box[1].start, box[0].start], np.float64)
    inside = np.zeros(part.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(target[MOUTH_INSIDE, :2] - offset).astype(np.int32)], 255)
    part = cv2.inpaint(part, masks.grow_mask(inside, 1.0), 3, cv2.INPAINT_TELEA)
    middle = (target[UPPER_RINGS[-1], :2] + target[LOWER_RINGS[0], :2]) / 2
    line = np.vstack([target[62, :2], middle, target[292, :2]]) - offset
    shade = np.zeros(part.shape[:2], np.uint8)
    cv2.polylines(shade, [np.round(line * 4).astype(np.int32)], False, 255, max(round(width * 0.015), 1),
                  lineType=cv2.LINE_AA, shift=2)
    darker = cv2.GaussianBlur(shade.astype(np.float32) / 255.0, (0, 0), max(width * 0.01, 0.5))
    darker = (darker * (1.0 - MOUTH_LINE_SHADE))[:, :, None]
    out = warped.copy()
    out[box] = np.clip(part * (1.0 - darker) + 0.5, 0, 255).astype(np.uint8)
    return out


def _blend_mask(points: np.ndarray, shape: tuple[int, ...], region: str, face_width: float) -> np.ndarray:
    """The face region with its upper forehead left to the template (fringes, hairlines)."""
    outline = points[lm.FACE_OVAL, :2].copy()
    brow_y = points[lm.RIGHT_BROW + lm.LEFT_BROW, 1].min()
    top = outline[:, 1] < brow_y
    outline[top, 1] = brow_y + FOREHEAD_KEEP * (outline[top, 1] - brow_y)
    centre = points[[lm.NOSE_TIP, 168], :2].mean(axis=0)
    if region == "face":
        outline = centre + 0.88 * (outline - centre)
    hard = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(hard, [np.round(outline).astype(np.int32)], 255, lineType=cv2.LINE_AA)
    return masks.feather(hard, face_width * 0.045)


_DISC3 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def _within(coverage: np.ndarray, face_width: float) -> np.ndarray:
    """0 at the warped face's edge, rising to 1 inside it: past that edge the warp has no pixels,
    and a mask that is still 0.16 there (a feather's tail) draws a hard line across the forehead."""
    inside = cv2.distanceTransform((coverage > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    return masks.smooth_ramp(inside, max(face_width * 0.04, 1.0))


def _forehead_widen(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """1 below the brows, rising to 1 + FOREHEAD_WIDEN at the top of the face, along the face's
    own up direction (a tilted head tilts it)."""
    up = points[lm.FOREHEAD, :2] - points[lm.CHIN, :2]
    up = up / max(float(np.linalg.norm(up)), 1e-6)
    brows = points[lm.RIGHT_BROW + lm.LEFT_BROW, :2].mean(axis=0)
    reach = max(float(((points[lm.FACE_OVAL, :2] - brows) @ up).max()), 1.0)
    across = ((np.arange(shape[1], dtype=np.float32) - brows[0]) * up[0] / reach)[None, :]
    along = ((np.arange(shape[0], dtype=np.float32) - brows[1]) * up[1] / reach)[:, None]
    return 1.0 + FOREHEAD_WIDEN * np.clip(across + along, 0.0, 1.0)


def _recolour(
    warped: np.ndarray, roi: np.ndarray, target: np.ndarray, clear: np.ndarray,
    options: PortraitOptions, face_width: float,
) -> np.ndarray:
    lab_w, lab_t = to_lab(warped), to_lab(roi)
    skin = masks.skin_mask(target, roi.shape)
    skin[clear < 0.5] = 0
    # The rim of either face is where background and hair sneak in: read colour and light
    # from the inner face only (measured: a white studio backdrop at a reference's cheek made
    # the whole face a shade darker) and let the normalised blur carry the light to the edges.
    inner = masks.face_mask(target, roi.shape, region="face")
    inner = cv2.erode(inner, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)), iterations=max(1, int(face_width * 0.03)))
    skin[inner == 0] = 0
    if options.color_shift_middle:
        shifted = transfer_lab(lab_w, skin, lab_stats(lab_t, skin), strength=1.0, contrast=0.5)
        _keep_lips(shifted, lab_w, target, face_width)
        lab_w = shifted
    # The template's light on the avatar's features: the avatar keeps its detail (identity),
    # the low frequencies (light direction, colour cast) move toward the template's.
    region = (skin > 0).astype(np.float32)
    sigma = face_width / 10
    low_w = masks.blur_within(lab_w, region, sigma)
    low_t = masks.blur_within(lab_t, region, sigma)
    keep = options.more_like_me
    lab_out = lab_w + (1.0 - keep) * (low_t - low_w)
    if options.color_shift_middle:
        match_chroma_slope(lab_out, skin, lab_t[skin > 0])  # on the lightness the face ends with
    return from_lab(lab_out)


def _keep_lips(shifted: np.ndarray, own: np.ndarray, target: np.ndarray, face_width: float) -> None:
    """Give LIPS_OWN of the lips' own colour (a, b) back from ``own`` to ``shifted`` (the face in
    LAB with the template skin's colour), in place: the skin's shift, applied to lips, greyed them."""
    sigma = max(face_width * 0.005, 0.5)
    # Only the lips' box, grown past the blur's reach: over the whole work area this cost 30 ms a fusion.
    box = masks.points_box(target[lm.LIPS_OUTER], shifted.shape, margin=int(np.ceil(4 * sigma)) + 1)
    part = shifted[box]
    if part.size == 0:
        return
    # Softened, not feathered inward: thin lips would keep little of their colour.
    hard = masks.lips_mask(masks.in_box(target, box), part.shape).astype(np.float32) / 255.0
    lips = cv2.GaussianBlur(hard, (0, 0), sigma)[:, :, None] * LIPS_OWN
    part[:, :, 1:] += lips * (own[box][:, :, 1:] - part[:, :, 1:])


def _last_colour_shift(out: np.ndarray, roi: np.ndarray, target: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Remove what colour difference is left where the new face meets the template's skin."""
    ring = ((alpha > 0.2) & (alpha < 0.85)).astype(np.uint8) * 255
    skin = masks.skin_mask(target, roi.shape)
    ring = cv2.bitwise_and(ring, skin)
    if cv2.countNonZero(ring) < 50:
        return out
    # Only the mask's bounding box changes: LAB conversions of the whole work area cost twice.
    box = masks.mask_box(alpha > 1e-3, margin=0)
    lab_o, lab_r = to_lab(out[box]), to_lab(roi[box])
    difference = lab_stats(lab_r, ring[box])[0] - lab_stats(lab_o, ring[box])[0]
    difference[0] *= 0.5  # lightness differences are partly the avatar's own shading
    shifted = out.copy()
    shifted[box] = from_lab(lab_o + alpha[box][:, :, None] * difference)
    return shifted


def _finish(
    out: np.ndarray, roi: np.ndarray, target: np.ndarray, alpha: np.ndarray, clear: np.ndarray,
    options: PortraitOptions, face_width: float, upscaled: float,
) -> np.ndarray:
    feather_sigma = face_width * 0.02
    if options.skin_retouching_bool:
        skin = masks.feather(masks.skin_mask(target, out.shape), feather_sigma) * alpha
        out = retouch_skin(out, skin, face_width=face_width)
    if options.makeup_transfer:
        out = transfer_makeup(out, roi, target, ratio=options.makeup_transfer_ratio, feather_sigma=feather_sigma)
    if options.photo_enhancement_bool and options.photo_enhancement_method == "photo_fix":
        out = photo_fix(out, alpha, face_width=face_width, upscaled=upscaled)
    if options.sharp_ratio > 0:
        out = unsharp(out, amount=options.sharp_ratio, sigma=max(face_width / 300, 0.8), mask=alpha)
    return _match_skin_texture(out, roi, target, alpha, clear, options, face_width)


def _match_skin_texture(
    out: np.ndarray, roi: np.ndarray, target: np.ndarray, alpha: np.ndarray, clear: np.ndarray,
    options: PortraitOptions, face_width: float,
) -> np.ndarray:
    """Last, after every step that sharpens or smooths: the new face's pores measured against
    the template's own skin on the same landmarks (its face, as old as its neck and forehead),
    without what hides it."""
    skin = masks.skin_mask(target, out.shape)
    skin[clear < 0.5] = 0
    skin = cv2.erode(skin, _DISC3, iterations=max(1, int(face_width * 0.02)))
    face_skin = masks.feather(skin, face_width * 0.02) * alpha
    return match_detail(out, roi, face_skin, skin > 0, add_detail=not options.skin_retouching_bool)


def _match_grain(
    out: np.ndarray, original: np.ndarray, target: np.ndarray, alpha: np.ndarray, scale: float, face_width: float
) -> np.ndarray:
    """The new face's grain and sharpness matched to the template's at the template's own
    resolution (``out``, ``original`` and ``alpha`` at that size; ``target`` at the working size
    ``scale``): grain added at the working size would be averaged away by the return to it."""
    points = target.copy()
    points[:, :2] /= scale
    skin = masks.skin_mask(points, out.shape)
    skin = cv2.erode(skin, _DISC3, iterations=max(1, int(face_width / scale * 0.02)))
    return match_grain(out, original, (skin > 0) & (alpha > 0.9), alpha)
