"""Portrait creation: template + avatar(s) + options -> n portraits ranked by identity.

Faces in the template are taken left to right, one avatar each. The n candidates use the
avatar's best reference faces in turn (and, past those, a stronger likeness setting), and
every candidate is measured: the identity distance of its face to the avatar's mean embedding.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import imaging
from .enhance import super_resolution
from .errors import FACE_COUNT_MESSAGE, TEMPLATE_DECODE_MESSAGE, TEMPLATE_NO_FACE_MESSAGE, EngineError, ErrorCode
from .faces import Face, analyze_faces, distance, landmarks
from .faces.embed import face_embedding
from .fusion.fuse import fuse_face
from .identity import Avatar
from .options import PortraitOptions
from .stylize import anime_look

MAX_CANDIDATES = 8
POSE_MATCH_DEGREES = 20.0  # a reference this far from the template's pose keeps 37 % of its score
MOUTH_MATCH = 0.25  # likewise for this difference in mouth opening (lip gap / mouth width)


@dataclass
class Portrait:
    image: np.ndarray
    identity_distance: float  # mean over the template's faces; lower is more like the avatar
    face_distances: list[float]
    references: list[int]  # which avatar face each template face was made from
    options: PortraitOptions


@dataclass(frozen=True)
class TemplateFace:
    """A face a portrait can be made into: its box (left, top, right, bottom) in pixels of the
    image given (a file's own pixels, before any downscaling)."""

    box: tuple[float, float, float, float]


def _usable_faces(rgb: np.ndarray) -> list[Face]:
    """Faces left to right that the mesh could measure: only those can take an avatar."""
    return [face for face in analyze_faces(rgb, embed=False) if face.points is not None]


def template_faces(template: np.ndarray, *, expected: int) -> list[Face]:
    """The template's faces left to right, checked against the number of avatars."""
    faces = _usable_faces(template)
    if not faces:
        raise EngineError(ErrorCode.TEMPLATE_NO_FACE, TEMPLATE_NO_FACE_MESSAGE)
    if len(faces) != expected:
        raise EngineError(ErrorCode.FACE_COUNT, FACE_COUNT_MESSAGE)
    return faces


def template_inspect(template: bytes | np.ndarray) -> list[TemplateFace]:
    """The faces of a template, left to right (none is an empty list, not an error)."""
    if isinstance(template, (bytes, bytearray)):
        decoded = _decoded_template(bytes(template))
        rgb, scale = decoded.rgb, decoded.scale
    else:
        rgb, scale = template, 1.0
    return [TemplateFace(box=tuple(float(v) / scale for v in face.box)) for face in _usable_faces(rgb)]


def _decoded_template(data: bytes) -> imaging.Decoded:
    try:
        return imaging.decode(data)
    except EngineError as exc:
        if exc.code == ErrorCode.IMAGE_TOO_LARGE:
            raise
        raise EngineError(ErrorCode.TEMPLATE_DECODE, TEMPLATE_DECODE_MESSAGE) from exc


def decode_template(data: bytes) -> np.ndarray:
    return _decoded_template(data).rgb


def portrait_create(
    template: bytes | np.ndarray,
    avatars: Sequence[Avatar],
    *,
    options: PortraitOptions | None = None,
    n: int = 1,
    on_progress: Callable[[float], None] | None = None,
) -> list[Portrait]:
    """Create ``n`` portraits, best (lowest identity distance) first."""
    if not avatars:
        raise EngineError(ErrorCode.INVALID_OPTION, "At least one avatar is needed.")
    if not 1 <= n <= MAX_CANDIDATES:
        raise EngineError(ErrorCode.INVALID_OPTION, f"n must be between 1 and {MAX_CANDIDATES}.")
    options = options or PortraitOptions()
    report = on_progress or (lambda fraction: None)
    rgb = decode_template(template) if isinstance(template, (bytes, bytearray)) else template
    faces = template_faces(rgb, expected=len(avatars))
    report(0.1)
    portraits = []
    for k in range(n):
        portraits.append(_candidate(rgb, faces, avatars, options, k))
        report(0.1 + 0.9 * (k + 1) / n)
    portraits.sort(key=lambda p: p.identity_distance)
    return portraits


def _candidate(rgb: np.ndarray, faces: list[Face], avatars: Sequence[Avatar], options: PortraitOptions, k: int) -> Portrait:
    base = _variant(options, k // min(len(a.faces) for a in avatars))
    orders = [reference_order(avatar, face) for avatar, face in zip(avatars, faces)]
    matched = [order[k % len(order)] for order in orders]
    tries = [(matched, base)]
    if options.likeness_search:
        # The other try leans on the avatar: its full face shape, and the avatar's own best
        # reference where the pose-matched one differs from it.
        best = [k % len(avatar.faces) for avatar in avatars]
        tries = [(matched, _likeness_variant(base)), (best, _likeness_variant(base))] if best != matched else [
            (matched, base), (matched, _likeness_variant(base))]
    portraits = [_fuse_all(rgb, faces, avatars, variant, references) for references, variant in tries]
    return min(portraits, key=lambda p: p.identity_distance)


def _fuse_all(
    rgb: np.ndarray, faces: list[Face], avatars: Sequence[Avatar], options: PortraitOptions, references: list[int]
) -> Portrait:
    image = rgb
    targets = []
    for face, avatar, index in zip(faces, avatars, references):
        fused = fuse_face(image, face.points, avatar.faces[index], options)
        image = fused.image
        targets.append(fused.target_points)
    if options.photo_enhancement_bool and options.photo_enhancement_method == "super_resolution":
        image = super_resolution(image)
        targets = [points * (image.shape[1] / rgb.shape[1]) for points in targets]
    if options.style_name == "Anime":
        # Styled last, after fusion and enhancement, and measured as styled: the distance is the
        # customer's picture's.
        image = anime_look(image)
    distances = [
        distance(face_embedding(image, points), avatar.mean_embedding) for points, avatar in zip(targets, avatars)
    ]
    return Portrait(
        image=image,
        identity_distance=round(float(np.mean(distances)), 4),
        face_distances=[round(d, 4) for d in distances],
        references=list(references),
        options=options,
    )


def reference_order(avatar: Avatar, face: Face) -> list[int]:
    """The avatar's faces, best reference for this template face first: the avatar's own ranking
    weighed by how close each face's head turn and mouth are to the template's. A frontal reference warped
    onto a face turned 25 degrees must invent the hidden cheek; a reference turned the same way
    has it (turned templates were where portraits fell short of their avatar most often)."""
    if face.pose is None:
        return list(range(len(avatar.faces)))

    template_mouth = landmarks.mouth_opening(face.points)

    def weight(index: int) -> float:
        candidate = avatar.faces[index]
        info = candidate.info
        turn = np.hypot(info.get("yaw", 0.0) - face.pose.yaw, 0.5 * (info.get("pitch", 0.0) - face.pose.pitch))
        # A talking or laughing mouth pasted on a composed template reads as a different mood.
        mouth = landmarks.mouth_opening(candidate.points) - template_mouth
        return candidate.score * float(np.exp(-((turn / POSE_MATCH_DEGREES) ** 2) - (mouth / MOUTH_MATCH) ** 2))

    return sorted(range(len(avatar.faces)), key=lambda index: -weight(index))


def _variant(options: PortraitOptions, round_: int) -> PortraitOptions:
    """Past the avatar's reference faces, candidates lean further toward the avatar."""
    if round_ == 0:
        return options
    step = 0.15 * round_
    return dataclasses.replace(
        options,
        more_like_me=min(1.0, options.more_like_me + step),
        more_like_me_before=min(1.0, options.more_like_me_before + step),
    )


def _likeness_variant(options: PortraitOptions) -> PortraitOptions:
    return dataclasses.replace(options, more_like_me_before=1.0, face_shape_match=True)
