"""The compliance report of an ID photo: each rule a check with its measured value, its limit and
a message in plain words that says how to fix a failure. Measured on the finished photo itself
(its own pixels and a fresh face mesh), as the office that receives it would.

Sources of the limits, as each check says: ICAO Doc 9303 part 3 and ISO/IEC 19794-5 (which ICAO
cites for the portrait: pose, expression, eyes, lighting, background), the US Department of State
photo rules (travel.state.gov, "Photo requirements"), and the Chinese rules GA 461-2004 (ID card
photos) and the 2017 guide to photos for exit-entry documents (Chinese passports and permits).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..faces import Face, analyze_faces
from ..faces import landmarks as lm
from ..options import IdPhotoSpec

# ISO/IEC 19794-5 (cited by ICAO 9303 part 3) asks yaw and pitch within 5 degrees, roll within 8.
# The mesh's pose reads a frontal face within about 3 degrees of yaw and 5 of pitch (measured on
# ../shared/data: people looking into the camera read pitch 3-8), so the limits add that spread.
MAX_YAW, MAX_PITCH, MAX_ROLL = 8.0, 10.0, 8.0
# Eyes open (ICAO, US, China): the lids' opening over the eye's width, the narrower eye. Open eyes
# read 0.16-0.40 on ../shared/data, a squint in a laugh 0.12, shut eyes under 0.10.
MIN_EYE_OPENING = 0.15
# Mouth closed (ICAO, China "嘴巴闭合"): the gap between the lips over the mouth's width; closed
# lips read 0.00-0.04 on ../shared/data, a smile showing teeth 0.13 and more.
MAX_LIP_GAP = 0.06
# Neutral expression: the mouth corners' lift in mouth widths; a composed mouth reads -0.05-0.09,
# a broad smile 0.12 and more. The US allows "a natural smile" (travel.state.gov).
MAX_SMILE = {"icao": 0.11, "cn": 0.11, "us": 0.20}
# Glasses glare (ICAO: "no reflection on the glasses"): the share of near-white pixels around each
# eye, out to where a lens would be; a catchlight in the iris alone stays under 0.5 %.
MAX_GLARE = 0.02
GLARE_LUMA = 245
# Even light (ICAO/ISO 19794-5: "uniform lighting, no shadows on the face"): the median luminance
# of the mid-face's two halves may differ by this share of the brighter one (evenly lit faces of
# ../shared/data read 0.02-0.17, a face lit from one side 0.38), and this share of the mid-face may
# lie in hard shadow (darker than SHADOW_DARK of its median).
MAX_CHEEK_IMBALANCE = 0.30
MAX_SHADOW = 0.10
SHADOW_DARK = 0.55
# Glasses (US: not allowed since November 2016, travel.state.gov): the nose bridge's mean vertical
# gradient; bare faces of ../shared/data read 6-31, the four with glasses 67-95.
MAX_BRIDGE_EDGE = 45.0
# Sharpness: variance of the Laplacian on the printed face resampled to SHARP_FACE_PX across.
MIN_SHARPNESS = 20.0
SHARP_FACE_PX = 200
# Background: every pixel outside the person exactly the requested colour (ICAO "plain, uniform").
MIN_PLAIN_BACKGROUND = 0.999
# Shoulders square (ICAO "shoulders square to the camera"): the matte's shoulder line across the
# photo may tilt this much.
MAX_SHOULDER_TILT = 10.0
# The person's outline may follow the customer's own crop over this share of the photo's height (a
# shoulder cut off at the side of the photo shows as a straight vertical edge).
MAX_CUT_OFF = 0.10
# Share of the person the frame may continue below the photo's bottom edge (clothes repeated
# downward look like streaks beyond a few rows).
MAX_CONTINUED = 0.04
INK = 40  # a pixel this far from the background colour counts as person when measuring the head


@dataclass(frozen=True)
class Check:
    name: str
    value: float | None
    limit: tuple[float | None, float | None]  # (lowest, highest) allowed; None: no bound that side
    passed: bool
    message: str  # what was seen, in plain words, and how to fix it when it failed

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "limit": list(self.limit), "passed": self.passed,
                "message": self.message}


@dataclass(frozen=True)
class Compliance:
    checks: tuple[Check, ...]

    @property
    def compliant(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def summary(self) -> str:
        """The failed checks' messages in one sentence each, or that the photo complies."""
        if self.compliant:
            return "The photo meets every rule checked."
        return " ".join(check.message for check in self.failed)

    def as_dict(self) -> dict:
        return {"compliant": self.compliant, "checks": [check.as_dict() for check in self.checks]}


def _check(name: str, value: float | None, low: float | None, high: float | None, ok: str, fix: str,
           digits: int = 3) -> Check:
    value = None if value is None else round(float(value), digits)
    passed = value is not None and (low is None or value >= low) and (high is None or value <= high)
    return Check(name, value, (low, high), passed, ok if passed else fix)


def compliance_measure(image: np.ndarray, alpha: np.ndarray, *, colour: tuple[int, int, int], spec: IdPhotoSpec,
                       faces_in_photo: int, head_roll: float, invented: np.ndarray, below: np.ndarray) -> Compliance:
    """Every check on the finished photo ``image`` (RGB uint8 at the size's pixels) whose person
    matte is ``alpha``; ``faces_in_photo`` and ``head_roll`` (the eye line's tilt before the
    framing levelled it) come from the customer's photo, ``invented`` and ``below`` mark the pixels
    the frame took from beyond the photo's side and top edges, and beyond its bottom edge."""
    checks = [_one_person(faces_in_photo), _whole_person(alpha, invented), _shoulders_in_photo(alpha, below)]
    faces = analyze_faces(image, embed=False, limit=1)
    face = max((f for f in faces if f.points is not None), key=lambda f: f.size, default=None)
    if face is None:
        checks.append(Check("face_found", 0, (1, None), False, "No face could be measured on the finished photo; "
                            "use a sharper photo looking straight at the camera."))
        return Compliance(tuple(checks))
    checks += _placement(image, alpha, face, colour, spec)
    checks += _pose(face, head_roll)
    checks += _expression(face, spec)
    checks += _light(image, face)
    if spec.rules == "us":
        checks.append(_no_glasses(image, face))
    checks.append(_background(image, alpha, colour))
    checks.append(_shoulders(alpha, face))
    return Compliance(tuple(checks))


def _one_person(count: int) -> Check:
    return _check("one_person", count, 1, 1, "One person in the photo.",
                  f"{count} faces are in the photo; take it with nobody else in the picture.", digits=0)


def _whole_person(alpha: np.ndarray, invented: np.ndarray) -> Check:
    """How much of the person's outline is the photo's own side or top edge (a shoulder or the hair
    cut off by the customer's crop), in photo heights."""
    person = alpha > 0.5
    near = max(3, min(alpha.shape) // 60)  # the matte stops a few pixels short of the streaks past the edge
    # A cut shows where the person meets background that the frame had to invent past the edge;
    # where the person runs on past it (a plain suit repeated), nothing shows.
    cut = (invented & ~person).astype(np.uint8)
    seam = person & ~invented & cv2.dilate(cut, np.ones((2 * near + 1,) * 2, np.uint8)).astype(bool)
    rows = np.count_nonzero(seam.any(axis=1)) / alpha.shape[0]
    return _check("whole_person_in_photo", rows, None, MAX_CUT_OFF,
                  "The head and shoulders are whole in the photo.",
                  "The photo cuts off a shoulder or the hair at its side; take it from further away, with space "
                  "around the head and shoulders.")


def _shoulders_in_photo(alpha: np.ndarray, below: np.ndarray) -> Check:
    """The share of the person that the frame had to continue below the photo's bottom edge (its
    last row repeated: streaks of clothing)."""
    person = alpha > 0.5
    share = np.count_nonzero(person & below) / max(np.count_nonzero(person), 1)
    return _check("shoulders_in_photo", share, None, MAX_CONTINUED,
                  "The shoulders are in the photo.",
                  "The photo ends too close under the chin; take it with the shoulders and the top of the chest "
                  "in the picture.")


def _placement(image: np.ndarray, alpha: np.ndarray, face: Face, colour: tuple[int, int, int],
               spec: IdPhotoSpec) -> list[Check]:
    """Head height (chin to the top of the hair) and the eye line, as fractions of the height:
    the crown is the first row over the face's middle that is mostly person, by its colour or by
    the matte (a white cap on a white background is still a head)."""
    height = image.shape[0]
    left, _, right, _ = face.box
    band = slice(max(0, round(left + 0.3 * (right - left))), round(right - 0.3 * (right - left)))
    inked = np.abs(image[:, band].astype(np.int16) - np.array(colour, np.int16)).max(axis=2) > INK
    rows = np.flatnonzero((inked | (alpha[:, band] > 0.5)).mean(axis=1) > 0.5)
    crown = float(rows[0]) if rows.size else 0.0
    chin = float(face.points[lm.CHIN, 1])
    eyes = float((face.points[lm.RIGHT_IRIS[0], 1] + face.points[lm.LEFT_IRIS[0], 1]) / 2)
    eye_low, eye_high = spec.eye_band
    return [
        _check("head_height", (chin - crown) / height, spec.head_min, spec.head_max,
               "The head's height (chin to the top of the hair) is within the size's rule.",
               "The head's height is outside the size's rule; use a photo with the whole head and shoulders "
               "and some space around them, taken from further away."),
        _check("head_top", crown / height, spec.top_min, spec.top_max, "The space above the head is within the rule.",
               "The space above the head is outside the rule; use a photo with more space above the head."),
        _check("eye_line", eyes / height, eye_low, eye_high, "The eyes are at the height the rule asks.",
               "The eyes are not at the height the rule asks; use a photo with the head upright and more "
               "space around it."),
    ]


def _pose(face: Face, roll: float) -> list[Check]:
    return [
        _check("head_yaw", face.pose.yaw, -MAX_YAW, MAX_YAW, "The face looks straight at the camera.",
               f"The head is turned {abs(face.pose.yaw):.0f}° to the side; face the camera.", digits=1),
        _check("head_pitch", face.pose.pitch, -MAX_PITCH, MAX_PITCH, "The head is neither raised nor lowered.",
               f"The head is tilted {abs(face.pose.pitch):.0f}° {'down' if face.pose.pitch > 0 else 'up'}; "
               "face the camera with the chin level.", digits=1),
        _check("head_roll", roll, -MAX_ROLL, MAX_ROLL, "The head is upright.",
               f"The head leans {abs(roll):.0f}° to one side; hold the head upright, eyes level.", digits=1),
    ]


def _eye_opening(points: np.ndarray) -> float:
    """The narrower eye's opening over its width (a wink counts as closed)."""
    ratios = []
    for lids, (outer, inner) in ((lm.RIGHT_EYE_LIDS, (lm.RIGHT_EYE_OUTER, lm.RIGHT_EYE_INNER)),
                                 (lm.LEFT_EYE_LIDS, (lm.LEFT_EYE_OUTER, lm.LEFT_EYE_INNER))):
        width = max(float(np.linalg.norm(points[outer, :2] - points[inner, :2])), 1e-6)
        ratios.append(float(np.mean([np.linalg.norm(points[a, :2] - points[b, :2]) for a, b in lids])) / width)
    return min(ratios)


def _expression(face: Face, spec: IdPhotoSpec) -> list[Check]:
    points = face.points
    return [
        _check("eyes_open", _eye_opening(points), MIN_EYE_OPENING, None, "Both eyes are open.",
               "The eyes are not fully open; open both eyes and look into the camera."),
        _check("mouth_closed", lm.mouth_opening(points), None, MAX_LIP_GAP, "The mouth is closed.",
               "The mouth is open; close your mouth."),
        _check("neutral_expression", lm.smile(points), None, MAX_SMILE.get(spec.rules, MAX_SMILE["icao"]),
               "The expression is neutral.", "The face is smiling; keep a neutral expression, mouth closed."),
    ]


def _luma(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _polygon_mask(shape: tuple[int, int], points: np.ndarray, indices: list[int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points[indices, :2]).astype(np.int32)], 1)
    return mask.astype(bool)


def _light(image: np.ndarray, face: Face) -> list[Check]:
    gray = _luma(image)
    points, shape = face.points, gray.shape
    eye_width = float(np.linalg.norm(points[lm.RIGHT_EYE_OUTER, :2] - points[lm.RIGHT_EYE_INNER, :2]))
    # Glare: near-white pixels in a lens-sized box around each eye, inside the face's outline (not
    # a white background beside a turned head), beyond the iris's catchlight.
    face_area = _polygon_mask(shape, points, lm.FACE_OVAL)
    glare, area = 0, 0
    for eye in (lm.RIGHT_EYE, lm.LEFT_EYE):
        cx, cy = points[eye, :2].mean(axis=0)
        rows = slice(max(0, round(cy - 0.6 * eye_width)), max(0, round(cy + 0.6 * eye_width)))
        columns = slice(max(0, round(cx - 0.9 * eye_width)), max(0, round(cx + 0.9 * eye_width)))
        lens = face_area[rows, columns]
        glare += int((gray[rows, columns][lens] >= GLARE_LUMA).sum()) - _catchlight(gray, points, eye)
        area += int(lens.sum())
    glare_share = max(glare, 0) / max(area, 1)
    # Even light and hard shadows, on the mid-face: under the eyes to the nose tip, between the
    # outer eye corners (where hair and beards rarely reach), the nose itself left out.
    mid = face_area & ~_polygon_mask(shape, points, lm.NOSE)
    rows, columns = np.mgrid[: shape[0], : shape[1]]
    left, right = sorted((points[lm.RIGHT_EYE_OUTER, 0], points[lm.LEFT_EYE_OUTER, 0]))
    mid &= (rows > points[[145, 374], 1].max() + 0.3 * eye_width) & (rows < points[lm.NOSE_TIP, 1])
    mid &= (columns > left) & (columns < right)
    centre = points[[168, 2], 0].mean()
    halves = [gray[mid & (columns < centre)], gray[mid & (columns >= centre)]]
    if min(half.size for half in halves) == 0:
        imbalance, shadow = None, None
    else:
        sides = [float(np.median(half)) for half in halves]
        imbalance = abs(sides[0] - sides[1]) / max(max(sides), 1.0)
        dark = (mid & (gray < SHADOW_DARK * np.median(gray[mid]))).astype(np.uint8)
        # A shadow is a patch: thin dark lines (a glasses rim, stubble, a strand of hair) are opened away.
        dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(
            cv2.MORPH_ELLIPSE, (max(3, round(0.2 * eye_width)) | 1,) * 2))
        shadow = float(dark.sum() / mid.sum())
    sharpness = _sharpness(gray, face)
    return [
        _check("glasses_glare", glare_share, None, MAX_GLARE, "No glare hides the eyes.",
               "Light reflects off the glasses; take them off or tilt them down slightly, and avoid a flash."),
        _check("even_lighting", imbalance, None, MAX_CHEEK_IMBALANCE, "The face is evenly lit.",
               "One side of the face is darker; use even light from the front, facing a window or two lamps."),
        _check("no_hard_shadows", shadow, None, MAX_SHADOW, "No hard shadows on the face.",
               "Hard shadows fall on the face; use soft, even light from the front."),
        _check("sharpness", sharpness, MIN_SHARPNESS, None, "The face is sharp.",
               "The face is blurred or too small in the photo; use a sharp photo taken closer, in good light.",
               digits=1),
    ]


def _no_glasses(image: np.ndarray, face: Face) -> Check:
    """A glasses frame's bridge: the mean vertical gradient on the nose bridge between the eyes,
    where a bare face has soft skin and a frame a sharp horizontal bar."""
    gray = _luma(image).astype(np.float32)
    points = face.points
    reach = max(2, round(0.25 * float(np.linalg.norm(points[lm.RIGHT_EYE_INNER, :2] - points[lm.LEFT_EYE_INNER, :2]))))
    cx, cy = (round(v) for v in points[168, :2])  # the bridge of the nose, between the eyes
    patch = gray[max(0, cy - reach) : cy + reach + 1, max(0, cx - reach // 2) : cx + reach // 2 + 1]
    bar = float(np.abs(cv2.Sobel(patch, cv2.CV_32F, 0, 1, ksize=3)).mean()) if patch.size else 0.0
    return _check("no_glasses", bar, None, MAX_BRIDGE_EDGE, "No glasses.",
                  "Glasses are not allowed in US passport and visa photos; take them off.", digits=1)


def _sharpness(gray: np.ndarray, face: Face) -> float:
    """Variance of the Laplacian on the face as printed, at SHARP_FACE_PX across: a face enlarged
    from a small photo reads low, a sharp one high whatever the size."""
    x0, y0, x1, y1 = (round(v) for v in face.box)
    crop = gray[max(0, y0) : y1, max(0, x0) : x1]
    if crop.size == 0:
        return 0.0
    scale = SHARP_FACE_PX / crop.shape[1]
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return float(cv2.Laplacian(crop, cv2.CV_64F).var())


def _catchlight(gray: np.ndarray, points: np.ndarray, eye: list[int]) -> int:
    """Near-white pixels inside the eye opening itself: the window's reflection in the iris, allowed."""
    mask = _polygon_mask(gray.shape, points, eye)
    return int((gray[mask] >= GLARE_LUMA).sum())


def _background(image: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int]) -> Check:
    outside = alpha <= 0.0
    exact = (image[outside] == np.array(colour, np.uint8)).all(axis=1).mean() if outside.any() else 0.0
    return _check("plain_background", exact, MIN_PLAIN_BACKGROUND, None,
                  "The background is plain and of the requested colour.",
                  "The background is not plain; stand in front of a plain wall, away from it.", digits=4)


def _shoulders(alpha: np.ndarray, face: Face) -> Check:
    """The tilt of the line between the shoulders' tops, near each side of the photo, below the chin."""
    height, width = alpha.shape
    chin = int(np.clip(face.points[lm.CHIN, 1], 0, height - 1))
    solid = alpha[chin:] > 0.5
    for share in (0.1, 0.2, 0.3):
        columns = (round(share * width), round((1 - share) * width) - 1)
        tops = [np.flatnonzero(solid[:, x]) for x in columns]
        if all(top.size for top in tops):
            rise = float(tops[1][0] - tops[0][0])
            tilt = float(np.degrees(np.arctan2(rise, columns[1] - columns[0])))
            return _check("shoulders_square", tilt, -MAX_SHOULDER_TILT, MAX_SHOULDER_TILT, "The shoulders are level.",
                          f"One shoulder is {abs(tilt):.0f}° lower; sit up straight with the shoulders level, "
                          "square to the camera.", digits=1)
    return Check("shoulders_square", None, (-MAX_SHOULDER_TILT, MAX_SHOULDER_TILT), False,
                 "The shoulders are not in the photo; use a photo showing the head and the top of the shoulders.")
