"""Where the head is and how the photo is framed: crown (top of the hair) and chin from the face
mesh and the person matte, then one warp that levels the eyes and puts the head in the size's band."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import EngineError, ErrorCode
from ..faces import Face, landmarks
from ..options import IdPhotoSpec
from .segment import person_matte

# MediaPipe's mesh stops at the hairline (point 10); the skull and hair above it are about a third
# of the eye-to-chin distance on an adult. Used where the matte cannot see the top of the hair.
CROWN_MARGIN = 0.35
# The rules measure the head to the top of the hair; the matte finds it, within these bounds
# (fractions of eye-to-chin above the mesh's forehead point) so a matte error cannot run away.
HAIR_MIN, HAIR_MAX = 0.15, 1.1
MATTE_SIDE = 640  # the person matte for the hair line is taken at this size
MIN_HEAD_PX = 100  # chin to crown in the photo; smaller heads print as a blur


@dataclass
class HeadGeometry:
    """The head in photo pixels: eye midpoint, the 'up' unit vector, crown and chin."""

    eyes: np.ndarray
    angle: float  # degrees the eye line is turned from horizontal
    up: np.ndarray
    crown: np.ndarray
    chin: np.ndarray

    @property
    def height(self) -> float:
        return float(np.linalg.norm(self.chin - self.crown))


def head_geometry(points: np.ndarray) -> HeadGeometry:
    """Crown and chin from the mesh: chin is point 152, the crown the forehead top (point 10) raised
    by CROWN_MARGIN of the eye-to-chin distance along the face's own up direction."""
    right, left = points[landmarks.RIGHT_IRIS[0], :2], points[landmarks.LEFT_IRIS[0], :2]
    eyes = (right + left) / 2
    across = left - right
    angle = math.degrees(math.atan2(across[1], across[0]))
    across = across / max(np.linalg.norm(across), 1e-6)
    up = np.array([across[1], -across[0]])
    chin = points[landmarks.CHIN, :2].astype(np.float64)
    forehead = points[landmarks.FOREHEAD, :2].astype(np.float64)
    eye_to_chin = float(np.dot(eyes - chin, up))
    crown = forehead + up * CROWN_MARGIN * eye_to_chin
    return HeadGeometry(eyes=eyes, angle=angle, up=up, crown=crown, chin=chin)


def with_hair(rgb: np.ndarray, face: Face, head: HeadGeometry) -> HeadGeometry:
    """The crown moved to the top of the hair, as the size rules measure the head.

    The person matte is read in a band over the middle of the face; the first row where the band
    is mostly person is the top of the hair. Hair that reaches the photo's top edge means the top
    of the head is cut off.
    """
    height, width = rgb.shape[:2]
    scale = min(1.0, MATTE_SIDE / max(height, width))
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    alpha = person_matte(small)
    left, _, right, _ = face.box
    band = slice(max(0, round((left + 0.3 * (right - left)) * scale)), round((right - 0.3 * (right - left)) * scale))
    eyes_row = max(1, min(alpha.shape[0], round(head.eyes[1] * scale)))
    rows = np.flatnonzero((alpha[:eyes_row, band] > 0.5).mean(axis=1) > 0.5)
    if rows.size == 0:
        return head
    if rows[0] <= 1:
        raise EngineError(
            ErrorCode.NO_USABLE_PHOTO,
            "The top of the head is cut off; an ID photo needs the whole head, hair included, with some space above it.",
        )
    top = rows[0] / scale
    eye_to_chin = float(np.dot(head.eyes - head.chin, head.up))
    forehead = head.crown - head.up * CROWN_MARGIN * eye_to_chin
    # How far above the forehead point the hair line lies, measured along the face's up direction.
    rise = (forehead[1] - top) / max(-head.up[1], 1e-3)
    rise = min(max(rise, HAIR_MIN * eye_to_chin), HAIR_MAX * eye_to_chin)
    return HeadGeometry(eyes=head.eyes, angle=head.angle, up=head.up, crown=forehead + head.up * rise, chin=head.chin)


def refuse_unframeable(rgb: np.ndarray, face: Face, head: HeadGeometry) -> None:
    """Refuse what no framing can make an ID photo of, draft or not (NO_USABLE_PHOTO: the photo is
    fine as an image but not for this use): a head too small, cut off, or off the side."""
    if head.height < MIN_HEAD_PX:
        raise EngineError(ErrorCode.IMAGE_TOO_SMALL, f"The head is only {head.height:.0f} px tall; an ID photo needs at least {MIN_HEAD_PX} px from chin to crown.")
    width = rgb.shape[1]
    if head.crown[1] < 0:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, "The top of the head is cut off; an ID photo needs the whole head with some space above it.")
    left, _, right, _ = face.box
    if left < 0 or right > width:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, "The face runs off the side of the photo; an ID photo needs the whole face.")


def frame(rgb: np.ndarray, head: HeadGeometry, spec: IdPhotoSpec) -> tuple[np.ndarray, np.ndarray]:
    """The photo at the size's pixels: eyes level, head mid-band, centred; and the 2x3 warp used.
    The photo's edge rows are repeated where the frame runs past them (shoulders below,
    background at the sides); the matte decides later what of that is person."""
    width, height = spec.width_px, spec.height_px
    scale = spec.head_target * height / head.height
    crown_to_eyes = float(np.dot(head.eyes - head.crown, -head.up))  # > 0: the eyes lie below the crown
    top = (spec.top_min + spec.top_max) / 2 * height
    if spec.eye_line is not None:
        eye_y = (spec.eye_line[0] + spec.eye_line[1]) / 2 * height
        top = min(max(eye_y - crown_to_eyes * scale, spec.top_min * height), spec.top_max * height)
    eyes_target = np.array([width / 2, top + crown_to_eyes * scale])
    matrix = cv2.getRotationMatrix2D((float(head.eyes[0]), float(head.eyes[1])), head.angle, scale)
    matrix[:, 2] += eyes_target - head.eyes
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.warpAffine(rgb, matrix, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE), matrix
