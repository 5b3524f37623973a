"""Head-and-shoulders framing as a portrait photographer crops it: eyes about 40 % from the top,
some room above the hair, the shoulders running out of the bottom edge. One warp levels the
eyes and scales the head; a small photo is enlarged with the engine's upscaler first."""
from __future__ import annotations

import cv2
import numpy as np

from ..enhance import upscale_to
from ..errors import EngineError, ErrorCode
from ..faces import Face
from ..idphoto.framing import HeadGeometry

EYE_LINE = 0.40  # eyes' height from the top, a share of the frame's height
EYE_TO_CHIN = 0.2  # of the frame's height: the face about a third of a 4:5 frame's width
HAIR_ROOM = 0.06  # the least space above the hair, of the frame's height
# Where the photo ends above the frame's bottom, the head may come this much closer (larger)
# so the clothes still reach the edge; past that the body fades out (compose.BODY_FADE).
MAX_CLOSER = 1.35
MIN_EYE_TO_CHIN_PX = 18  # a face smaller than this (about 45 px wide) has too little to enlarge
ENLARGE_FIRST = 1.25  # warps enlarging more than this upscale the photo's crop first


def frame_size(aspect: str, long_side: int) -> tuple[int, int]:
    """(width, height) of the frame."""
    if aspect == "1:1":
        return long_side, long_side
    if aspect == "4:5":
        return round(long_side * 4 / 5), long_side
    raise EngineError(ErrorCode.INVALID_OPTION, f"Unknown aspect {aspect!r}; use \"4:5\" or \"1:1\".")


def refuse_unframeable(rgb: np.ndarray, face: Face, head: HeadGeometry) -> None:
    """A face too small to enlarge, or cut by the side of the photo, makes no headshot."""
    if _eye_to_chin(head) < MIN_EYE_TO_CHIN_PX:
        raise EngineError(ErrorCode.IMAGE_TOO_SMALL, "The face is too small in this photo for a headshot; use a photo taken closer.")
    left, _, right, _ = face.box
    if left < -0.05 * face.width or right > rgb.shape[1] + 0.05 * face.width:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, "The face runs off the side of the photo; a headshot needs the whole face.")


def _eye_to_chin(head: HeadGeometry) -> float:
    return float(np.dot(head.eyes - head.chin, head.up))


def headshot_warp(head: HeadGeometry, photo: tuple[int, int], size: tuple[int, int]) -> tuple[np.ndarray, bool]:
    """The 2x3 warp from photo to frame, and whether the frame runs past the photo's bottom
    (the body has to be extended there)."""
    width, height = size
    eye_y = EYE_LINE * height
    scale = EYE_TO_CHIN * height / _eye_to_chin(head)
    crown_to_eyes = float(np.dot(head.eyes - head.crown, -head.up))
    if eye_y - crown_to_eyes * scale < HAIR_ROOM * height:  # big hair: step back
        scale = (eye_y - HAIR_ROOM * height) / crown_to_eyes
    below_eyes = photo[0] - head.eyes[1]  # photo rows below the eyes
    needed = (height - eye_y) / max(below_eyes, 1.0)
    if needed > scale:  # the photo ends above the frame's bottom: come closer, within reason
        scale = min(needed, scale * MAX_CLOSER)
    matrix = cv2.getRotationMatrix2D((float(head.eyes[0]), float(head.eyes[1])), head.angle, scale)
    matrix[:, 2] += np.array([width / 2, eye_y]) - head.eyes
    return matrix, needed > scale * 1.001


def warp(rgb: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The photo in the frame. An enlargement upscales only the crop the frame needs, with the
    engine's upscaler, and warps that (so a 320 px selfie is not a blur of interpolation)."""
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    if scale > ENLARGE_FIRST:
        corners = np.array([[0, 0], [size[0], 0], [0, size[1]], [size[0], size[1]]], np.float64)
        inverse = cv2.invertAffineTransform(matrix)
        source = corners @ inverse[:, :2].T + inverse[:, 2]
        x0, y0 = np.maximum(np.floor(source.min(axis=0)) - 4, 0).astype(int)
        x1, y1 = np.minimum(np.ceil(source.max(axis=0)) + 4, [rgb.shape[1], rgb.shape[0]]).astype(int)
        if x1 - x0 >= 8 and y1 - y0 >= 8:
            crop = rgb[y0:y1, x0:x1]
            large = upscale_to(crop, long_side=round(max(crop.shape[:2]) * scale))
            factor = large.shape[1] / crop.shape[1]
            inner = matrix[:, :2] / factor
            offset = matrix[:, :2] @ np.array([x0, y0], np.float64) + matrix[:, 2]
            return cv2.warpAffine(large, np.hstack([inner, offset[:, None]]), size, flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REPLICATE)
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.warpAffine(rgb, matrix, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)


def beyond_the_photo(matrix: np.ndarray, photo: tuple[int, int], size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The frame's pixels (bool, H x W) that lie past the photo's edges (repeated edge pixels),
    and those of them past its bottom edge and past its top edge."""
    inverse = cv2.invertAffineTransform(matrix)
    rows, columns = np.mgrid[: size[1], : size[0]].astype(np.float32)
    x = inverse[0, 0] * columns + inverse[0, 1] * rows + inverse[0, 2]
    y = inverse[1, 0] * columns + inverse[1, 1] * rows + inverse[1, 2]
    below = y > photo[0] - 1
    return (x < 0) | (x > photo[1] - 1) | (y < 0) | below, below, y < 0
