"""The photo check: is each photo usable for an avatar, and if not, why.

Every photo gets the seeds' code and message (api-compat.md: 1 success ... 6 not the same
person), a ``frontal`` flag, plain-language ``reasons`` a website can show and ``notes`` that
are information, not problems (the photo was scaled down). Codes are the hard verdict; reasons
also list soft problems (small, blurred, dark, turned) that lower a photo's weight in the avatar
without refusing it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from . import imaging
from .errors import EngineError, ErrorCode
from .faces import Face, analyze_faces, distance
from .faces.glasses import find_glasses
from .faces.hands import find_hands, hands_mask
from .masks import face_mask
from .quality import BRIGHT_MIN, CLIPPED_MAX, DARK_MAX, EYES_CLOSED, FaceQuality, face_quality

CODE_SUCCESS = 1
CODE_DECODE = 2
CODE_FACE_COUNT = 3
CODE_DETECT = 4
CODE_ENCODING = 5
CODE_OTHER_PERSON = 6
MESSAGES = {
    CODE_SUCCESS: "success",
    CODE_DECODE: "Image decode error.",
    CODE_FACE_COUNT: "Number of face is not 1.",
    CODE_DETECT: "Image detect error.",
    CODE_ENCODING: "Image encoding error.",
    CODE_OTHER_PERSON: "This photo is not the same person in photos.",
}
ALL_INVALID = "all images are invalid"

# dlib's own threshold for its ResNet (calibrated on LFW). On ../shared/data/faces (88 photos,
# 22 people) same-person pairs reach 0.56 at most and different-person pairs 0.62 at least, so
# 0.6 sits in that gap; see bench/threshold.py for the medoid distances the check really uses.
SAME_PERSON_THRESHOLD = 0.6
MIN_FACE_PX = 128
MIN_SIDE_PX = 256
MAX_SIDE_PX = 2048
MIN_TRAINING_SIDE_PX = 512
MAX_TURN_DEGREES = 15.0


@dataclass(frozen=True)
class Reason:
    key: str  # stable, for code: face_small, blurred, turned ...
    text: str  # for people
    # A problem is shown to the person; info (the photo was scaled down) is only worth a note:
    # every phone photo would otherwise carry a "problem".
    severity: Literal["problem", "info"] = "problem"


@dataclass
class PhotoCheck:
    """The verdict on one photo; ``face`` and ``rgb`` stay for the avatar builder."""

    code: int
    frontal: bool = False
    reasons: list[Reason] = field(default_factory=list)
    face: Face | None = None
    quality: FaceQuality | None = None
    rgb: np.ndarray | None = None
    # The hands seen in the photo (21 x 2 points each, pixels of the analysed image), kept so the
    # avatar builder does not run MediaPipe's hands a second time.
    hands: list[np.ndarray] = field(default_factory=list)
    original_size: tuple[int, int] | None = None

    @property
    def message(self) -> str:
        return MESSAGES[self.code]

    @property
    def passed(self) -> bool:
        return self.code == CODE_SUCCESS

    def score(self) -> float:
        """How good a reference this photo makes: frontal score x quality score (0 if failed)."""
        if not self.passed or self.face is None or self.face.pose is None or self.quality is None:
            return 0.0
        return self.face.pose.frontal_score() * self.quality.score()

    def as_dict(self) -> dict:
        problems = [reason for reason in self.reasons if reason.severity == "problem"]
        return {
            "code": self.code,
            "message": self.message,
            "frontal": self.frontal,
            "reasons": [reason.text for reason in problems],
            "reason_keys": [reason.key for reason in problems],
            "notes": [reason.text for reason in self.reasons if reason.severity == "info"],
        }


def check_photo(data: bytes, *, for_training: bool = False, keep_pixels: bool = False) -> PhotoCheck:
    """Check one photo on its own (everything but the same-person decision)."""
    try:
        decoded = imaging.decode(data)
    except EngineError as exc:
        return PhotoCheck(code=CODE_DECODE, reasons=[Reason("decode", exc.message)])
    rgb = decoded.rgb
    reasons = _resolution_reasons(decoded.original_size, for_training=for_training)
    faces = analyze_faces(rgb, limit=1)
    if len(faces) != 1:
        text = "No face was found." if not faces else f"{len(faces)} faces were found; use a photo of you alone."
        return PhotoCheck(code=CODE_FACE_COUNT, reasons=[Reason("face_count", text), *reasons])
    face = faces[0]
    if face.points is None or face.pose is None:
        return PhotoCheck(
            code=CODE_DETECT,
            reasons=[Reason("landmarks", "The face was found but its features could not be located."), *reasons],
        )
    if face.embedding is None or not np.all(np.isfinite(face.embedding)):
        return PhotoCheck(code=CODE_ENCODING, reasons=[Reason("encoding", "The face could not be encoded."), *reasons])
    quality = face_quality(rgb, face)
    hands = find_hands(rgb)
    reasons += _face_reasons(face, quality, rgb.shape, decoded.scale)
    reasons += _cover_reasons(rgb, face, hands)
    return PhotoCheck(
        code=CODE_SUCCESS,
        frontal=face.pose.is_frontal(max_angle=MAX_TURN_DEGREES),
        reasons=reasons,
        face=face,
        quality=quality,
        rgb=rgb if keep_pixels else None,
        hands=hands,
        original_size=decoded.original_size,
    )


def check_photos(
    photos: Sequence[bytes],
    *,
    same_person: bool = True,
    for_training: bool = False,
    keep_pixels: bool = False,
    on_progress: Callable[[float], None] | None = None,
) -> list[PhotoCheck]:
    """Check several photos; with ``same_person``, photos of someone else get code 6."""
    results = []
    for index, data in enumerate(photos):
        results.append(check_photo(data, for_training=for_training, keep_pixels=keep_pixels))
        if on_progress:
            on_progress((index + 1) / len(photos))
    if same_person:
        mark_other_people(results)
    return results


def mark_other_people(results: list[PhotoCheck], *, threshold: float = SAME_PERSON_THRESHOLD) -> None:
    """Give code 6 to passed photos farther than ``threshold`` from the group's medoid."""
    passed = [r for r in results if r.passed and r.face is not None and r.face.embedding is not None]
    if len(passed) < 2:
        return
    embeddings = np.stack([r.face.embedding for r in passed])
    pairwise = np.linalg.norm(embeddings[:, None, :] - embeddings[None, :, :], axis=2)
    # The medoid (least total distance to the rest) is a real photo of the majority person; ties
    # in a two-photo group go to the better photo.
    totals = pairwise.sum(axis=1) - 1e-6 * np.array([r.score() for r in passed])
    medoid = int(np.argmin(totals))
    for index, result in enumerate(passed):
        if pairwise[medoid, index] > threshold:
            result.code = CODE_OTHER_PERSON
            result.reasons.insert(0, Reason("other_person", "This looks like a different person from the other photos."))


def group_distance(results: Sequence[PhotoCheck]) -> list[float | None]:
    """Each photo's distance to the mean embedding of the passed photos (None if not passed)."""
    passed = [r.face.embedding for r in results if r.passed and r.face is not None]
    if not passed:
        return [None] * len(results)
    mean = np.mean(passed, axis=0)
    return [distance(r.face.embedding, mean) if r.passed and r.face is not None else None for r in results]


def require_usable(results: Sequence[PhotoCheck]) -> None:
    if not any(r.passed for r in results):
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, ALL_INVALID)


def _resolution_reasons(size: tuple[int, int], *, for_training: bool) -> list[Reason]:
    width, height = size
    reasons = []
    if min(width, height) < MIN_SIDE_PX:
        reasons.append(Reason("resolution_low", f"The photo is {width}x{height} px; at least {MIN_SIDE_PX} px a side is needed."))
    elif for_training and min(width, height) < MIN_TRAINING_SIDE_PX:
        reasons.append(
            Reason("resolution_training", f"The photo is {width}x{height} px; training wants {MIN_TRAINING_SIDE_PX} px a side or more.")
        )
    if max(width, height) > MAX_SIDE_PX:
        reasons.append(
            Reason(
                "resolution_high",
                f"The photo is {width}x{height} px; it is scaled down to {MAX_SIDE_PX} px.",
                severity="info",
            )
        )
    return reasons


def _face_reasons(face: Face, quality: FaceQuality, shape: tuple[int, ...], scale: float) -> list[Reason]:
    reasons = []
    face_px = face.size / scale
    if face_px < MIN_FACE_PX:
        reasons.append(Reason("face_small", f"The face is {face_px:.0f} px; come closer so it is at least {MIN_FACE_PX} px."))
    height, width = shape[:2]
    x0, y0, x1, y1 = face.box
    margin = 0.02 * face.size
    if x0 < -margin or y0 < -margin or x1 > width + margin or y1 > height + margin:
        reasons.append(Reason("face_cut", "The face is cut off by the edge of the photo."))
    if quality.is_blurred:
        reasons.append(Reason("blurred", "The face is blurred; hold still and use more light."))
    if quality.brightness < DARK_MAX:
        reasons.append(Reason("dark", "The face is too dark; face a window or a lamp."))
    elif quality.brightness > BRIGHT_MIN or quality.clipped > CLIPPED_MAX:
        reasons.append(Reason("overexposed", "The face is washed out by too much light."))
    pose = face.pose
    if pose is not None and not pose.is_frontal(max_angle=MAX_TURN_DEGREES):
        reasons.append(
            Reason("turned", f"The head is turned (yaw {pose.yaw:.0f}, pitch {pose.pitch:.0f} degrees); look straight at the camera.")
        )
    if quality.eye_opening < EYES_CLOSED:
        reasons.append(Reason("eyes_closed", "The eyes look closed."))
    return reasons


# A hand counts as over the face from this share of the face's outline (a hand beside the face,
# or a fingertip at the jaw's edge, leaves nothing the portraits must paint out).
HAND_OVER_FACE = 0.02
GLASSES_TEXT = "Glasses: photos without them give the eyes the best likeness."
SUNGLASSES_TEXT = "Sunglasses hide the eyes: add photos with the eyes visible."
HAND_TEXT = "A hand covers the face: photos with the face clear work best."


def _cover_reasons(rgb: np.ndarray, face: Face, hands: list[np.ndarray]) -> list[Reason]:
    """What covers the face, told at upload: the photo still passes (the engine prefers clear
    photos and paints out what covers the rest), but the customer can do better by adding clear
    ones. Hair over the face is not told here: the colour model that finds it in the avatar's
    crops is too coarse to name it in a photo on its own."""
    assert face.points is not None
    reasons = []
    glasses = find_glasses(rgb, face.points)
    if glasses is not None:
        sunglasses = glasses.kind == "sunglasses"
        reasons.append(Reason("sunglasses", SUNGLASSES_TEXT) if sunglasses else Reason("glasses", GLASSES_TEXT))
    if hands:
        outline = face_mask(face.points, rgb.shape) > 0
        covered = hands_mask(hands, rgb.shape)[outline] > 0
        if covered.size and covered.mean() >= HAND_OVER_FACE:
            reasons.append(Reason("hand", HAND_TEXT))
    return reasons
