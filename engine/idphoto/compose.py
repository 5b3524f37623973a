"""One ID photo from one portrait: check the face, frame the head by the size's rule, cut the person
out onto a plain background; optionally tiled on a 6x4 in print sheet."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .. import imaging
from ..errors import EngineError, ErrorCode
from ..faces import Face, analyze_faces, landmarks
from ..options import DPI, IdPhotoSpec, parse_background, spec_for
from .segment import foreground_colours, person_matte

MAX_YAW, MAX_PITCH, MAX_ROLL = 12.0, 15.0, 8.0
# MediaPipe's mesh stops at the hairline (point 10); the skull and hair above it are about a third
# of the eye-to-chin distance on an adult. Used where the matte cannot see the top of the hair.
CROWN_MARGIN = 0.35
# The rules measure the head to the top of the hair; the matte finds it, within these bounds
# (fractions of eye-to-chin above the mesh's forehead point) so a matte error cannot run away.
HAIR_MIN, HAIR_MAX = 0.15, 1.1
MATTE_SIDE = 640  # the person matte for the hair line is taken at this size
MIN_HEAD_PX = 100  # chin to crown in the photo; smaller heads print as a blur
SHEET_SIZE = (1800, 1200)  # 6x4 in at 300 dpi
SHEET_GAP = round(2 / 25.4 * DPI)


@dataclass
class IdPhoto:
    image: np.ndarray  # RGB uint8, height_px x width_px of the spec (or the sheet)
    width: int
    height: int
    dpi: int
    spec: IdPhotoSpec


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


def _with_hair(rgb: np.ndarray, face: Face, head: HeadGeometry) -> HeadGeometry:
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


def idphoto_create(photo: bytes, *, size: str = "1inch", background: str | tuple = "white", sheet: bool = False) -> IdPhoto:
    spec = spec_for(size)
    colour = parse_background(background)
    rgb = imaging.decode(photo).rgb
    face = _the_face(rgb)
    head = head_geometry(face.points)
    _refuse_unusable(rgb, face, head, spec)
    head = _with_hair(rgb, face, head)
    framed = _frame(rgb, head, spec)
    alpha = person_matte(framed)
    person = foreground_colours(framed, alpha)
    out = person * alpha[..., None] + np.array(colour, np.float32) * (1 - alpha[..., None])
    image = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    if sheet:
        image = _sheet(image)
    return IdPhoto(image=image, width=image.shape[1], height=image.shape[0], dpi=spec.dpi, spec=spec)


def _the_face(rgb: np.ndarray) -> Face:
    faces = analyze_faces(rgb, embed=False, limit=2)
    if not faces:
        raise EngineError(ErrorCode.NO_FACE, "No face was found; an ID photo needs one face looking at the camera.")
    if len(faces) > 1:
        raise EngineError(ErrorCode.FACE_COUNT, f"{len(faces)} faces were found; an ID photo needs exactly one person.")
    if faces[0].points is None:
        raise EngineError(ErrorCode.NO_FACE, "The face could not be measured; use a sharper, front-facing photo.")
    return faces[0]


def _refuse_unusable(rgb: np.ndarray, face: Face, head: HeadGeometry, spec: IdPhotoSpec) -> None:
    """Refuse what cannot make a compliant ID photo, saying why (NO_USABLE_PHOTO: the photo is fine
    as an image but not for this use)."""
    pose = face.pose
    if pose is not None and abs(pose.yaw) > MAX_YAW:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, f"The head is turned {abs(pose.yaw):.0f}° to the side; an ID photo needs the face looking straight at the camera.")
    if pose is not None and abs(pose.pitch) > MAX_PITCH:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, f"The head is tilted {abs(pose.pitch):.0f}° up or down; an ID photo needs the face looking straight at the camera.")
    if abs(head.angle) > MAX_ROLL:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, f"The eyes are {abs(head.angle):.0f}° off level; hold the head upright.")
    if head.height < MIN_HEAD_PX:
        raise EngineError(ErrorCode.IMAGE_TOO_SMALL, f"The head is only {head.height:.0f} px tall; an ID photo needs at least {MIN_HEAD_PX} px from chin to crown.")
    height, width = rgb.shape[:2]
    if head.crown[1] < 0:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, "The top of the head is cut off; an ID photo needs the whole head with some space above it.")
    left, _, right, _ = face.box
    if left < 0 or right > width:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, "The face runs off the side of the photo; an ID photo needs the whole face.")


def _frame(rgb: np.ndarray, head: HeadGeometry, spec: IdPhotoSpec) -> np.ndarray:
    """Rotate the eyes level, scale the head to mid-band and place it; the photo's edge rows are
    repeated where the frame runs past them (shoulders below, background at the sides)."""
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
    return cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _sheet(photo: np.ndarray) -> np.ndarray:
    """As many copies as fit on a 6x4 in sheet, 2 mm apart, with thin grey cut lines between."""
    sheet_w, sheet_h = SHEET_SIZE
    h, w = photo.shape[:2]
    cols = max(1, (sheet_w - SHEET_GAP) // (w + SHEET_GAP))
    rows = max(1, (sheet_h - SHEET_GAP) // (h + SHEET_GAP))
    sheet = np.full((sheet_h, sheet_w, 3), 255, np.uint8)
    x0 = (sheet_w - cols * w - (cols - 1) * SHEET_GAP) // 2
    y0 = (sheet_h - rows * h - (rows - 1) * SHEET_GAP) // 2
    guide = (190, 190, 190)
    for col in range(cols + 1):
        x = x0 + col * (w + SHEET_GAP) - SHEET_GAP // 2
        if 0 <= x < sheet_w:
            sheet[:, x] = guide
    for row in range(rows + 1):
        y = y0 + row * (h + SHEET_GAP) - SHEET_GAP // 2
        if 0 <= y < sheet_h:
            sheet[y, :] = guide
    for row in range(rows):
        for col in range(cols):
            x, y = x0 + col * (w + SHEET_GAP), y0 + row * (h + SHEET_GAP)
            sheet[y : y + h, x : x + w] = photo
    return sheet
