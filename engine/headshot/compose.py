"""A professional headshot from one of the customer's own photos, without a template: the
largest face framed head-and-shoulders, the person cut out with soft hair edges, relit and
lightly retouched, on a procedurally painted backdrop."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .. import imaging
from ..errors import EngineError, ErrorCode
from ..faces import Face, analyze_faces, landmarks
from ..idphoto.framing import head_geometry, with_hair
from ..idphoto.segment import foreground_colours, person_cutout
from .backdrops import BACKDROPS, Backdrop, backdrop_for, backdrop_paint, parse_colour
from .framing import beyond_the_photo, frame_size, headshot_warp, refuse_unframeable, warp
from .light import light_wrap, relight, retouch
from .paint import blur

MIN_LONG_SIDE, MAX_LONG_SIDE = 1024, 4096
# Past the photo's bottom the body fades out over this share of the frame's height: inventing
# clothes drew slabs and streaks on the close crops of ../shared/data (eric_clapton, sundar_pichai).
BODY_FADE = 0.08
CONTACT_SHADOW = 0.3  # how much the person darkens a studio wall close behind the shoulders
SHOULDER_REACH = 1.8  # face widths (the mesh's, cheek to cheek) from the face's centre past a shoulder
HAIR_GAIN, SKIN_GAIN = 1.2, 2.2  # how much the cut-out's soft edge is narrowed (see _firmer_edges)
# The preview silhouette (silhouette_over): a slate grey, a little see-through.
SILHOUETTE_TONE = (72, 76, 84)
SILHOUETTE_OPACITY = 0.85


@dataclass
class Headshot:
    image: np.ndarray  # RGB uint8, height x width
    width: int
    height: int
    backdrop: str
    aspect: str
    variant: int
    matte: np.ndarray  # float32 0-1: the person; 0 where only the backdrop shows
    notes: list[str] = field(default_factory=list)  # what was done that a customer may want to know


def headshot_create(photo: bytes, *, backdrop: str = "studio_grey", aspect: str = "4:5",
                    colour: tuple[int, int, int] | str | None = None, variant: int = 0, long_side: int = 1280) -> Headshot:
    """The headshot of the person with the largest face in ``photo``. ``backdrop`` a key of
    BACKDROPS; ``aspect`` "4:5" or "1:1"; ``colour`` the brand backdrop's colour ("#rrggbb" or
    RGB); ``variant`` another light and bokeh layout, the same one each time."""
    chosen, size, brand = _options(backdrop, aspect, colour, variant, long_side)
    notes: list[str] = []
    rgb = imaging.decode(photo).rgb
    faces = analyze_faces(rgb, embed=False, limit=3)
    face = _the_face(faces, notes)
    head = head_geometry(face.points)
    refuse_unframeable(rgb, face, head)
    try:
        head = with_hair(rgb, face, head)
    except EngineError:  # hair cut by the photo's top: the mesh's estimate of the crown
        notes.append("The top of the hair is cut off in the photo.")
    matrix, extended = headshot_warp(head, rgb.shape[:2], size)
    if extended:
        notes.append("The photo ends above the shoulders; the body fades out softly at the bottom.")
    if np.sqrt(abs(np.linalg.det(matrix[:, :2]))) > 2:
        notes.append("The photo is small; the face was enlarged and may look soft.")
    points = face.points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    framed, alpha, below = _cut_out(rgb, matrix, size, points, face, faces, notes)
    key_side = 1.0 if variant % 2 else -1.0
    person = relight(foreground_colours(framed, alpha), points, chosen, key_side=key_side,
                     chin_y=float(points[landmarks.CHIN, 1]))
    eyes = points[[468, 473]].mean(axis=0)
    back = backdrop_paint(chosen, size[1], size[0], variant=variant, colour=brand,
                          head=(float(eyes[0] / size[0]), float(eyes[1] / size[1])))
    if chosen.studio:
        back = _contact_shadow(back, alpha, key_side, below)
    person = light_wrap(person, alpha, back)
    out = person * alpha[..., None] + back * (1 - alpha[..., None])
    if chosen.grade is not None:
        out = chosen.grade(out / 255.0) * 255.0
    image = retouch(np.clip(out + 0.5, 0, 255).astype(np.uint8), points)
    return Headshot(image=image, width=size[0], height=size[1], backdrop=chosen.key, aspect=aspect, variant=variant,
                    matte=alpha, notes=notes)


def backdrop_alone(backdrop: str = "studio_grey", *, size: tuple[int, int] = (1024, 1280),
                   colour: tuple[int, int, int] | str | None = None, variant: int = 0) -> np.ndarray:
    """The backdrop with nobody in front (RGB uint8, ``size`` = width, height), its look applied:
    what a style's preview shows where no sample photo fits the style (a men's style)."""
    chosen = backdrop_for(backdrop)
    width, height = size
    back = backdrop_paint(chosen, height, width, variant=variant, colour=parse_colour(colour), head=(0.5, 0.4))
    if chosen.grade is not None:
        back = chosen.grade(back / 255.0) * 255.0
    return np.clip(back + 0.5, 0, 255).astype(np.uint8)


def silhouette_over(backdrop: np.ndarray) -> np.ndarray:
    """A head-and-shoulders silhouette in soft grey over ``backdrop`` (RGB uint8), framed as a
    headshot frames a person: where the customer's own photo goes, in a preview that has no
    sample photo fitting its style."""
    height, width = backdrop.shape[:2]
    shape = np.zeros((height, width), np.uint8)
    cv2.ellipse(shape, (width // 2, int(height * 0.38)), (int(width * 0.15), int(height * 0.165)), 0, 0, 360, 255, -1,
                cv2.LINE_AA)
    cv2.rectangle(shape, (int(width * 0.43), int(height * 0.50)), (int(width * 0.57), int(height * 0.68)), 255, -1)
    cv2.ellipse(shape, (width // 2, int(height * 1.02)), (int(width * 0.48), int(height * 0.38)), 0, 180, 360, 255, -1,
                cv2.LINE_AA)
    alpha = cv2.GaussianBlur(shape, (0, 0), max(1.0, width / 300)).astype(np.float32)[..., None] / 255 * SILHOUETTE_OPACITY
    out = backdrop.astype(np.float32) * (1 - alpha) + np.array(SILHOUETTE_TONE, np.float32) * alpha
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _options(backdrop, aspect, colour, variant, long_side) -> tuple[Backdrop, tuple[int, int], tuple[int, int, int]]:
    """The options checked before any pixel is decoded: INVALID_OPTION names the valid values."""
    chosen = backdrop_for(backdrop)
    if not isinstance(long_side, int) or not MIN_LONG_SIDE <= long_side <= MAX_LONG_SIDE:
        raise EngineError(ErrorCode.INVALID_OPTION, f"The long side must be {MIN_LONG_SIDE} to {MAX_LONG_SIDE} px, not {long_side!r}.")
    size = frame_size(aspect, long_side)
    brand = parse_colour(colour)
    if not isinstance(variant, int) or isinstance(variant, bool) or variant < 0:
        raise EngineError(ErrorCode.INVALID_OPTION, f"The variant must be a whole number from 0, not {variant!r}.")
    return chosen, size, brand


def _cut_out(rgb: np.ndarray, matrix: np.ndarray, size: tuple[int, int], points: np.ndarray, face: Face,
             faces: list[Face], notes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo in the frame, the person's matte over it, and the frame past the photo's bottom."""
    framed = warp(rgb, matrix, size)
    invented, below, above = beyond_the_photo(matrix, rgb.shape[:2], size)
    framed = _soften_invented(framed, invented)
    alpha = person_cutout(framed, face_box=(*points.min(axis=0), *points.max(axis=0)),
                          body_from=round(float(points[landmarks.CHIN, 1])))
    alpha = _firmer_edges(alpha, points)
    alpha = _others_cut_away(alpha, face, [other for other in faces if other is not face], matrix, notes)
    alpha = _fade_beyond(alpha, above, reach=0.03)
    return framed, _fade_beyond(alpha, below, reach=BODY_FADE, grace=0.015), below


def backdrops() -> dict[str, str]:
    """Each backdrop's key and title, in menu order."""
    return {key: b.title for key, b in BACKDROPS.items()}


def _the_face(faces: list[Face], notes: list[str]) -> Face:
    """The largest measured face: the customer, where someone else is in the photo (they are
    left out: the cut-out keeps only the person around this face)."""
    measured = [face for face in faces if face.points is not None]
    if not faces:
        raise EngineError(ErrorCode.NO_FACE, "No face was found; use a photo of you looking at the camera.")
    if not measured:
        raise EngineError(ErrorCode.NO_FACE, "The face could not be measured; use a sharper, front-facing photo.")
    if len(faces) > 1:
        notes.append(f"{len(faces)} faces were found; the headshot is of the largest.")
    return max(measured, key=lambda face: face.size)


def _soften_invented(framed: np.ndarray, invented: np.ndarray) -> np.ndarray:
    """Past the photo's edges the warp repeats the edge pixels as streaks; there the picture is
    blended into a wide blur of itself, so extended clothes read as soft fabric."""
    if not invented.any():
        return framed
    weight = blur(invented.astype(np.float32), framed.shape[0] * 0.01)[..., None]
    smooth = blur(framed.astype(np.float32), framed.shape[0] * 0.02)
    return np.clip(framed * (1 - weight) + smooth * weight + 0.5, 0, 255).astype(np.uint8)


def _others_cut_away(alpha: np.ndarray, face: Face, others: list[Face], matrix: np.ndarray, notes: list[str]) -> np.ndarray:
    """Someone standing close enough to touch the customer is one blob to the segmenter; their
    side of a line between the two faces is cut away, softly: halfway to their face, and never
    further out than the customer's own shoulders reach (SHOULDER_REACH face widths)."""
    width = alpha.shape[1]
    centre = _frame_centre(face, matrix)
    reach = SHOULDER_REACH * face.width * float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    columns = np.arange(width, dtype=np.float32)[None, :]
    for other in others:
        there = _frame_centre(other, matrix)
        if abs(there[0] - centre[0]) < 1:
            continue
        side = np.sign(there[0] - centre[0])
        line = centre[0] + side * min(abs(there[0] - centre[0]) / 2, reach)
        keep = np.clip((line - columns) * side / (0.015 * width) + 0.5, 0, 1)
        if (alpha * (1 - keep)).max() > 0.5:
            notes.append("Someone beside you in the photo was cut away.")
        alpha = alpha * keep
    return alpha.astype(np.float32)


def _frame_centre(face: Face, matrix: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = face.box
    return matrix[:, :2] @ np.array([(x0 + x1) / 2, (y0 + y1) / 2]) + matrix[:, 2]


def _firmer_edges(alpha: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The cut-out's edge is refined for ID-photo sizes; at a headshot's size it is 15 px wide,
    which shows as a glow beside cheeks, ears and shoulders (the old background's colour is
    gone, but the soft band of skin or cloth is not). Below the brows the band is narrowed; the
    hair above keeps most of its softness."""
    brows = float(points[[landmarks.FOREHEAD], 1].mean() * 0.5 + points[[468, 473], 1].mean() * 0.5)
    chin = float(points[landmarks.CHIN, 1])
    rows = np.arange(alpha.shape[0], dtype=np.float32)[:, None]
    gain = HAIR_GAIN + (SKIN_GAIN - HAIR_GAIN) * np.clip((rows - brows) / max(chin - brows, 1.0), 0, 1)
    return np.clip((alpha - 0.5) * gain + 0.5, 0, 1).astype(np.float32)


def _fade_beyond(alpha: np.ndarray, beyond: np.ndarray, *, reach: float, grace: float = 0.0) -> np.ndarray:
    """The person fades into the backdrop past an edge of the photo (over ``reach`` of the frame's
    height) instead of running on as streaks of repeated pixels: hair cut by the photo's top,
    clothes cut above the frame's bottom, as a vignetted studio bust ends. The first ``grace``
    of the height runs on (the cut-out's body reaches the edge): a photo that stops a few rows
    short would otherwise show a line of backdrop under the clothes."""
    if not beyond.any():
        return alpha
    past = cv2.distanceTransform(beyond.astype(np.uint8), cv2.DIST_L2, 3)
    keep = np.clip(1 - (past - grace * alpha.shape[0]) / (reach * alpha.shape[0]), 0, 1) ** 1.5
    return (alpha * np.where(beyond, keep, 1.0)).astype(np.float32)


def _contact_shadow(back: np.ndarray, alpha: np.ndarray, key_side: float, below: np.ndarray) -> np.ndarray:
    """A soft shadow of the person on the wall close behind, away from the key light: the
    occlusion that keeps a cut-out from floating; none under a body that fades out (``below``
    the photo), where it would draw a shelf."""
    height, width = alpha.shape
    shift = np.float32([[1, 0, -key_side * width * 0.015], [0, 1, height * 0.012]])
    moved = cv2.warpAffine(alpha, shift, (width, height), borderMode=cv2.BORDER_REPLICATE)
    shadow = blur(moved, height * 0.03) * (1 - blur(below.astype(np.float32), height * 0.02))
    return back * (1 - CONTACT_SHADOW * shadow)[..., None]
