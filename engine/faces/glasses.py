"""Glasses on a face, found from its mesh: spectacles' rims or sunglasses' dark lenses, with the
bridge and the temple arms, as one mask to keep in front of (or take out of) a new face.

The eye band is resampled to a fixed scale (eye distance 100 px, eyes level); from each eye rays
go out at 36 angles. Spectacles are a thin dark line (black-hat) at a consistent distance
below and beside the eye and a bar across the nose bridge; sunglasses are a lens far darker
than the skin around the eye. The thresholds come from ../shared/data's faces with and without
glasses (bench/hard_cases.py shows them).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import landmarks as lm

EYES = 100.0  # px between the iris centres in the resampled eye band
BAND = (320, 230)  # its width, height
RIGHT_AT, LEFT_AT = (110.0, 100.0), (210.0, 100.0)  # where the image-left and image-right irises go
ANGLES = np.deg2rad(np.arange(0, 360, 10))
LOWER = (ANGLES > np.deg2rad(25)) & (ANGLES < np.deg2rad(155))  # y grows downward: below the eye
RIM_MIN = 12.0  # black-hat (grey levels) a rim point needs
RIM_SHARE = 0.7  # of the rays below both eyes, the share that must find the rim
RIM_SPREAD = 4.5  # px: how far the rim's distance from the eye may wander from ray to ray
BRIDGE_MIN = 20.0  # black-hat of the bar across the nose bridge (faces without glasses: under 17)
# Behind a sunglass lens both the eye's whites and the skin around the eye are darker than this
# share of the cheeks' grey level (faces without: 0.57 and more; drawn sunglasses: about 0.2).
DARK_LENS = 0.45
# A temple arm is looked for from these turns (from the lens's outer side toward its top), along
# these slopes (px down per px toward the ear), across at most ARM_GAP columns where it fades.
ARM_STARTS = np.deg2rad([0.0, 20.0, 40.0])
ARM_SLOPES = np.linspace(-0.3, 0.4, 15)
ARM_GAP = 2


@dataclass
class Glasses:
    kind: str  # "spectacles" or "sunglasses"
    mask: np.ndarray  # float 0-1 over the image: lenses (sunglasses), rims, bridge, temple arms


def find_glasses(rgb: np.ndarray, points: np.ndarray) -> Glasses | None:
    """The glasses worn by the face at ``points`` (478 x 2+, pixels of ``rgb``), or None."""
    matrix = _band_matrix(points)
    if matrix is None:
        return None
    gray = cv2.cvtColor(cv2.warpAffine(rgb, matrix, BAND, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE),
                        cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (0, 0), 1.0)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (13, 13))
    line = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel).astype(np.float32)
    band = _transform(points[:, :2], matrix)
    skin = _skin_grey(gray, band)
    whites = [_whites(gray, band[eye]) / max(skin, 1.0) for eye in (lm.RIGHT_EYE, lm.LEFT_EYE)]
    if max(whites) >= DARK_LENS and _bridge(line, None)[1] < BRIDGE_MIN / 2:
        return None  # no dark lens, nothing across the nose: most faces end here, before any tracing
    lenses = [_lens(gray, line, band, eye, skin) for eye in (lm.RIGHT_EYE, lm.LEFT_EYE)]
    dark = all(lens.darkness < DARK_LENS for lens in lenses)
    rims = all(lens.rim_share >= RIM_SHARE and lens.rim_spread <= RIM_SPREAD for lens in lenses)
    bridge_y, bridge = _bridge(line, lenses)
    if not dark and not (rims and bridge >= BRIDGE_MIN):
        return None
    kind = "sunglasses" if dark else "spectacles"
    mask = np.zeros(BAND[::-1], np.uint8)
    # The rim as thick as measured (the thinner lens's: a thick mask pastes the template's
    # eyelids too, and costs likeness), but at least 2.5 px of the image.
    rim = max(float(np.clip(min(lens.thickness for lens in lenses), 3, 6)), 2.5 * float(np.hypot(*matrix[:, 0])))
    thickness = 7 if dark else round(rim)
    for lens in lenses:
        outline = np.round(lens.rim).astype(np.int32)
        if dark:
            cv2.fillPoly(mask, [outline], 255)
        cv2.polylines(mask, [outline], True, 255, thickness)
    inner = [lenses[0].rim[np.argmin(np.abs(ANGLES - 0.0))], lenses[1].rim[np.argmin(np.abs(ANGLES - np.pi))]]
    cv2.line(mask, _pt(inner[0]), _pt((inner[0][0] + inner[1][0]) / 2, bridge_y), 255, thickness)
    cv2.line(mask, _pt((inner[0][0] + inner[1][0]) / 2, bridge_y), _pt(inner[1]), 255, thickness)
    _temple_arms(mask, line, band, lenses, thickness)
    full = cv2.warpAffine(mask, matrix, (rgb.shape[1], rgb.shape[0]), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    hard = full.astype(np.float32) / 255.0
    return Glasses(kind=kind, mask=np.maximum(cv2.GaussianBlur(hard, (0, 0), 0.8), hard))


@dataclass
class _Lens:
    rim: np.ndarray  # 36 x 2: the rim (or the sunglass lens's edge) along each ray, band pixels
    rim_share: float  # of the rays below the eye, the share with a strong thin dark line
    rim_spread: float  # how much the rim's distance wanders between neighbouring rays, px
    thickness: float  # the rim's width, px
    darkness: float  # the eye's whites or the skin around it, whichever is lighter, over the cheeks' grey


def _band_matrix(points: np.ndarray) -> np.ndarray | None:
    source = points[[468, 473], :2].astype(np.float64)
    if np.linalg.norm(source[1] - source[0]) < 12:
        return None  # too small to see a rim
    matrix, _ = cv2.estimateAffinePartial2D(source, np.array([RIGHT_AT, LEFT_AT]))
    return matrix


def _transform(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return points @ matrix[:, :2].T + matrix[:, 2]


def _pt(x, y=None) -> tuple[int, int]:
    if y is None:
        x, y = x
    return round(float(x)), round(float(y))


def _skin_grey(gray: np.ndarray, band: np.ndarray) -> float:
    """The cheeks' grey level, below where any lens reaches."""
    nose = band[lm.NOSE_TIP]
    rows = slice(int(np.clip(nose[1] - 10, 0, BAND[1] - 2)), int(np.clip(nose[1] + 10, 1, BAND[1] - 1)))
    cheeks = np.concatenate([gray[rows, 75:115].ravel(), gray[rows, 205:245].ravel()])
    return float(np.median(cheeks)) if cheeks.size else 128.0


def _lens(gray: np.ndarray, line: np.ndarray, band: np.ndarray, eye: list[int], skin: float) -> _Lens:
    contour = band[eye]
    centre = contour.mean(axis=0)
    half_w = max(np.ptp(contour[:, 0]) / 2, 8.0)
    half_h = max(np.ptp(contour[:, 1]) / 2, 4.0)
    cos, sin = np.cos(ANGLES), np.sin(ANGLES)
    eye_r = 1.0 / np.sqrt((cos / half_w) ** 2 + (sin / half_h) ** 2)
    # Past the lids and lashes; not past where a lens ends (higher up are the brows).
    low = eye_r + np.where(sin > 0, 9.0, 6.0)
    high = np.where(sin > 0, 58.0, 40.0) * np.sqrt(cos**2 + (np.where(sin > 0, 0.85, 0.75) * sin) ** 2) + 8
    radii = np.arange(0, 70, 1.0)
    xs = (centre[0] + cos[:, None] * radii).astype(np.float32)
    ys = (centre[1] + sin[:, None] * radii).astype(np.float32)
    profile = cv2.remap(line, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    valid = (radii >= low[:, None]) & (radii <= high[:, None])
    smooth = _trace(profile, valid)
    near = valid & (np.abs(radii - smooth[:, None]) <= 3)
    strength = np.where(near, profile, 0.0).max(axis=1)
    below = LOWER & (strength > 0)
    rim_share = float((strength[LOWER] >= RIM_MIN).mean())
    rim_spread = float(np.median(np.abs(np.diff(np.r_[smooth[LOWER], smooth[LOWER][:1]]))[:-1])) if below.any() else 99.0
    # Width of the line where it is strongest: the run around the peak above half its height.
    rows = np.argsort(-strength)[:6]
    widths = []
    for row in rows:
        at = int(smooth[row])
        half = profile[row, at] / 2
        left, right = at, at
        while left > 0 and profile[row, left - 1] > half:
            left -= 1
        while right < len(radii) - 1 and profile[row, right + 1] > half:
            right += 1
        widths.append(right - left + 1)
    gray_profile = cv2.remap(gray.astype(np.float32), xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    around = (radii >= eye_r[:, None] + 3) & (radii < eye_r[:, None] + 15)
    darkness = max(float(np.median(gray_profile[around])), _whites(gray, contour)) / max(skin, 1.0)
    rim_r = _lens_edge(gray_profile, low, high, radii) if darkness < DARK_LENS else smooth
    rim = np.stack([centre[0] + cos * rim_r, centre[1] + sin * rim_r], axis=1)
    return _Lens(rim=rim, rim_share=rim_share, rim_spread=rim_spread, thickness=float(np.median(widths)),
                 darkness=darkness)


def _whites(gray: np.ndarray, contour: np.ndarray) -> float:
    """The eye's whites: the light end of the grey levels inside its contour."""
    inside = np.zeros(gray.shape, np.uint8)
    cv2.fillPoly(inside, [np.round(contour).astype(np.int32)], 1)
    return float(np.percentile(gray[inside > 0], 90)) if inside.any() else 255.0


def _lens_edge(gray_profile: np.ndarray, low: np.ndarray, high: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Along each ray, where the dark lens turns into skin: the steepest rise in grey."""
    rise = np.gradient(cv2.GaussianBlur(gray_profile, (0, 0), 1.5), axis=1)
    valid = (radii >= low[:, None] * 0.6) & (radii <= high[:, None] + 6)
    return _trace(rise, valid)


def _trace(score: np.ndarray, valid: np.ndarray, step: int = 3) -> np.ndarray:
    """The closed outline (one radius per ray) through the highest ``score`` whose radius changes
    by at most ``step`` px from ray to ray: dynamic programming once and a half around the eye,
    keeping the middle turn, so the outline closes on itself."""
    rays, depth = score.shape
    order = np.r_[np.arange(rays), np.arange(rays), np.arange(rays // 2)]
    gain = np.where(valid, score, -1e4).astype(np.float64)
    total = gain[order[0]].copy()
    back = np.zeros((len(order), depth), np.int64)
    for k in range(1, len(order)):
        best = np.full(depth, -np.inf)
        arg = np.zeros(depth, np.int64)
        for shift in range(-step, step + 1):
            moved = np.full(depth, -np.inf)
            if shift >= 0:
                moved[shift:] = total[: depth - shift] if shift else total
            else:
                moved[:shift] = total[-shift:]
            better = moved > best
            best[better] = moved[better]
            arg[better] = (np.arange(depth) - shift)[better]
        total = best + gain[order[k]]
        back[k] = arg
    path = np.zeros(len(order), np.int64)
    path[-1] = int(total.argmax())
    for k in range(len(order) - 1, 0, -1):
        path[k - 1] = back[k, path[k]]
    middle = path[rays // 2 : rays // 2 + rays]
    return np.roll(middle, rays // 2).astype(np.float64)


def _bridge(line: np.ndarray, lenses: list[_Lens] | None) -> tuple[float, float]:
    """The bar between the lenses (or, without them, midway between the eyes): the strongest
    row of black-hat across the nose bridge."""
    x0, x1 = 0, 0
    if lenses is not None:
        x0 = int(lenses[0].rim[np.argmin(np.abs(ANGLES))][0]) - 2
        x1 = int(lenses[1].rim[np.argmin(np.abs(ANGLES - np.pi))][0]) + 2
    if x1 - x0 < 6:
        x0, x1 = 150, 170
    centre = (x0 + x1) // 2
    columns = line[60:125, max(centre - 6, 0) : centre + 7]
    rows = columns.mean(axis=1)
    at = int(rows.argmax())
    return float(60 + at), float(rows[at])


def _temple_arms(mask: np.ndarray, line: np.ndarray, band: np.ndarray, lenses: list[_Lens], thickness: int) -> None:
    """From each lens's outer side toward the ear, as far as a thin dark line goes on. The arm may
    leave the lens anywhere from the middle of its outer side up to its upper corner, where most
    hinges sit (traced from the middle only, a thick frame's arm and hinge stayed on the
    reference's temple: Eric Clapton in bench/hard_cases.py), and slopes as it goes: of the
    straight lines from those starts that run past the lens, the darkest in all is the arm."""
    for lens, outward, up, side in ((lenses[0], np.pi, 1.0, band[234]), (lenses[1], 0.0, -1.0, band[454])):
        towards = 1.0 if side[0] > lens.rim[:, 0].mean() else -1.0
        outer = float((towards * lens.rim[:, 0]).max())
        arm, strongest = None, 0.0
        for turn in ARM_STARTS:
            angle = outward + up * turn
            start = lens.rim[np.argmin(np.abs(np.angle(np.exp(1j * (ANGLES - angle)))))]
            for slope in ARM_SLOPES:
                end, strength = _arm_end(line, start, float(side[0]), slope)
                if end is not None and towards * end[0] - outer > 3.0 and strength > strongest:
                    arm, strongest = (start, end), strength
        if arm is not None:
            cv2.line(mask, _pt(arm[0]), _pt(arm[1]), 255, thickness)


def _arm_end(line: np.ndarray, start: np.ndarray, end_x: float, slope: float
             ) -> tuple[tuple[float, float] | None, float]:
    """Where the thin dark line along ``slope`` (px down per px across) from ``start`` toward
    ``end_x`` ends, across at most ARM_GAP columns where it fades (hair at the temple), and its
    strength summed up to there."""
    step = 1 if end_x > start[0] else -1
    end, gap, strength, total = None, 0, 0.0, 0.0
    for x in range(int(round(start[0])) + step, int(round(end_x)), step):
        y = start[1] + slope * abs(x - start[0])
        if not (0 <= x < BAND[0] and 1 <= y < BAND[1] - 1):
            break
        value = float(line[int(round(y)) - 1 : int(round(y)) + 2, x].max())
        total += value
        if value < RIM_MIN:
            gap += 1
            if gap > ARM_GAP:
                break
            continue
        gap, end, strength = 0, (float(x), float(y)), total
    return end, strength
