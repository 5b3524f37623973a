"""One ID photo from one photo: find the one face, frame the head by the size's rule, cut the
person out onto a plain background, measure the result against the rules (the compliance report)
and refuse it when it fails, unless a draft is asked for; optionally tiled on a print sheet."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .. import imaging
from ..errors import EngineError, ErrorCode
from ..faces import Face, analyze_faces, kept_distance, landmarks
from ..options import IdPhotoSpec, paper_for, parse_background, spec_for
from .compliance import Compliance, compliance_measure
from .framing import frame, head_geometry, refuse_unframeable, with_hair
from .segment import foreground_colours, person_cutout
from .sheet import sheet_tile

# The US Department of State's online photo tool takes a JPEG of at most 240 kB.
UPLOAD_MAX_BYTES = 240_000
# Before the compliance report the studio refused only a head turned past these (degrees); the
# backend keeps that as its default until the studio asks for drafts or refusals explicitly.
FRAMING_YAW, FRAMING_PITCH, FRAMING_ROLL = 12.0, 15.0, 8.0


@dataclass
class IdPhoto:
    """An ID photo and its compliance report. ``image`` is what to print (the sheet when one was
    asked for, else the photo); ``photo`` is always the single photo at the size's pixels."""

    image: np.ndarray  # RGB uint8, height x width
    width: int
    height: int
    dpi: int
    spec: IdPhotoSpec
    compliance: Compliance
    photo: np.ndarray  # the single photo, spec.height_px x spec.width_px
    background: tuple[int, int, int]
    matte: np.ndarray  # float32 0-1 over ``photo``: the person; exactly 0 where the background colour is
    upload: np.ndarray | None = None  # the digital upload version where offices ask for one (spec.upload_px)
    draft: bool = False  # made although it may not comply (then ``compliant`` says whether it does)
    # The face of ``photo`` against the face of the photo given (faces.kept_distance): that the
    # cut-out, relighting and framing kept the person's likeness; None where it could not be read.
    identity_distance: float | None = None

    @property
    def compliant(self) -> bool:
        return self.compliance.compliant

    def upload_jpeg(self) -> bytes | None:
        """The upload version as a JPEG within the online tools' size limit, or None where the
        size has no upload version."""
        if self.upload is None:
            return None
        for quality in (95, 90, 85, 80, 75, 70):
            data = imaging.encode(self.upload, format="JPEG", quality=quality, dpi=self.dpi)
            if len(data) <= UPLOAD_MAX_BYTES:
                break
        return data


class IdPhotoRefused(EngineError):
    """The photo would not pass: the failed checks, in plain words, are in ``compliance``."""

    def __init__(self, compliance: Compliance):
        super().__init__(ErrorCode.NO_USABLE_PHOTO, "This photo would not pass as an ID photo. " + compliance.summary())
        self.compliance = compliance


def idphoto_create(photo: bytes, *, size: str = "1inch", background: str | tuple = "white",
                   sheet: bool | str = False, draft: bool = False) -> IdPhoto:
    """The ID photo of the one person in ``photo``, with its compliance report. ``sheet``: False, or
    True / "6x4" / "a6" for a print sheet. Unless ``draft``, a photo that fails a check raises
    ``IdPhotoRefused``; a photo that cannot be framed at all (no face, head cut off or too small)
    raises ``EngineError`` either way."""
    spec = spec_for(size)
    colour = parse_background(background)
    paper = paper_for(sheet)
    rgb = imaging.decode(photo).rgb
    faces = analyze_faces(rgb, embed=False, limit=3)
    face = _the_face(faces)
    head = head_geometry(face.points)
    refuse_unframeable(rgb, face, head)
    head = with_hair(rgb, face, head)
    framed, matrix = frame(rgb, head, spec)
    points = face.points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    box = (*points.min(axis=0), *points.max(axis=0))
    alpha = person_cutout(framed, face_box=box, body_from=round(points[landmarks.CHIN, 1]))
    person = foreground_colours(framed, alpha)
    out = person * alpha[..., None] + np.array(colour, np.float32) * (1 - alpha[..., None])
    single = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    invented, below = _beyond_the_edges(matrix, rgb.shape[:2], (spec.height_px, spec.width_px))
    compliance = compliance_measure(single, alpha, colour=colour, spec=spec, faces_in_photo=len(faces),
                                    head_roll=face.pose.roll if face.pose else 0.0, invented=invented,
                                    below=below)
    if not draft and not compliance.compliant:
        raise IdPhotoRefused(compliance)
    image = sheet_tile(single, paper) if paper else single
    return IdPhoto(image=image, width=image.shape[1], height=image.shape[0], dpi=spec.dpi, spec=spec,
                   compliance=compliance, photo=single, background=colour, matte=alpha, upload=_upload(single, spec),
                   draft=draft, identity_distance=kept_distance(rgb, single))


def _the_face(faces: list[Face]) -> Face:
    """The largest measured face: the customer, where someone else is in the background (the
    compliance report then fails ``one_person``)."""
    measured = [face for face in faces if face.points is not None]
    if not faces:
        raise EngineError(ErrorCode.NO_FACE, "No face was found; an ID photo needs one face looking at the camera.")
    if not measured:
        raise EngineError(ErrorCode.NO_FACE, "The face could not be measured; use a sharper, front-facing photo.")
    return max(measured, key=lambda face: face.size)


def _beyond_the_edges(matrix: np.ndarray, source: tuple[int, int], shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The frame's pixels that lie past the photo's left, right or top edge, and those past its
    bottom edge (the frame repeats the edge there)."""
    inverse = cv2.invertAffineTransform(matrix)
    rows, columns = np.mgrid[: shape[0], : shape[1]].astype(np.float32)
    x = inverse[0, 0] * columns + inverse[0, 1] * rows + inverse[0, 2]
    y = inverse[1, 0] * columns + inverse[1, 1] * rows + inverse[1, 2]
    return (x < 0) | (x > source[1] - 1) | (y < 0), y > source[0] - 1


def _upload(photo: np.ndarray, spec: IdPhotoSpec) -> np.ndarray | None:
    if spec.upload_px is None:
        return None
    if (photo.shape[1], photo.shape[0]) == spec.upload_px:
        return photo
    return cv2.resize(photo, spec.upload_px, interpolation=cv2.INTER_AREA)


def refuse_turned_head(made: IdPhoto) -> None:
    """What the studio refused before the compliance report: another person in the photo, or a
    head turned past the framing's limits (FRAMING_*), with the reason in plain words."""
    values = {check.name: check.value for check in made.compliance.checks}
    if (values.get("one_person") or 1) > 1:
        raise EngineError(ErrorCode.FACE_COUNT, f"{values['one_person']:.0f} faces were found; an ID photo needs exactly one person.")
    yaw, pitch, roll = (values.get(name) or 0.0 for name in ("head_yaw", "head_pitch", "head_roll"))
    if abs(yaw) > FRAMING_YAW:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, f"The head is turned {abs(yaw):.0f}° to the side; an ID photo needs the face looking straight at the camera.")
    if abs(pitch) > FRAMING_PITCH:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, f"The head is tilted {abs(pitch):.0f}° up or down; an ID photo needs the face looking straight at the camera.")
    if abs(roll) > FRAMING_ROLL:
        raise EngineError(ErrorCode.NO_USABLE_PHOTO, f"The eyes are {abs(roll):.0f}° off level; hold the head upright.")
