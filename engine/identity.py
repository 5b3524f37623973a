"""The avatar: the CPU backend's "training", and its versioned artifact on disk.

From 5-20 photos it keeps each usable face as an aligned crop with its mesh and embedding, the
mean embedding the portraits are measured against, and a ranking of the faces as references:
similarity to the mean embedding x frontal score (x photo quality), as EasyPhoto and FaceChain
pick their reference face.

Artifact layout (format ``portrait-studio-avatar``, version 1):
    avatar.json          metadata, per-face scores, SHA-256 of every other file
    faces/NN.jpg         aligned face crops, best reference first
    landmarks.npy        N x 478 x 3 mesh points in crop pixels
    embeddings.npy       N x 128 dlib embeddings
    reference.png        the chosen reference face (lossless)
    masks/face.png, masks/skin.png   its masks
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import imaging, masks
from .check import PhotoCheck, check_photos, require_usable
from .errors import EngineError, ErrorCode
from .faces.align import canonical_matrix, transform_points, warp_crop

FORMAT = "portrait-studio-avatar"
VERSION = 1
CROP_SIDE = 640
MAX_PHOTOS = 20
RECOMMENDED_PHOTOS = 5
METADATA = "avatar.json"

Progress = Callable[[float], None]


@dataclass
class AvatarFace:
    crop: np.ndarray  # CROP_SIDE x CROP_SIDE x 3, eyes levelled at fixed positions
    points: np.ndarray  # 478 x 3 in crop pixels
    embedding: np.ndarray  # 128
    score: float  # reference score: similarity to the mean x frontal x quality
    source: str = ""
    info: dict = field(default_factory=dict)


@dataclass
class Avatar:
    faces: list[AvatarFace]  # best reference first
    mean_embedding: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def reference(self) -> AvatarFace:
        return self.faces[0]


def avatar_build(
    photos: Sequence[bytes],
    *,
    names: Sequence[str] | None = None,
    on_progress: Progress | None = None,
) -> tuple[Avatar, list[PhotoCheck]]:
    """Build an avatar in memory from photos; returns it with the check of every photo."""
    if not photos:
        raise EngineError(ErrorCode.TOO_FEW_PHOTOS, "No photos were given.")
    if len(photos) > MAX_PHOTOS:
        raise EngineError(ErrorCode.TOO_MANY_PHOTOS, f"{len(photos)} photos were given; the limit is {MAX_PHOTOS}.")
    names = list(names) if names is not None else [f"photo {i + 1}" for i in range(len(photos))]
    report = on_progress or (lambda fraction: None)
    checks = check_photos(
        photos, same_person=True, for_training=True, keep_pixels=True, on_progress=lambda f: report(0.85 * f)
    )
    require_usable(checks)
    faces = [_avatar_face(check, name) for check, name in zip(checks, names) if check.passed]
    for check in checks:
        check.rgb = None  # the pixels are in the crops now; let the photos go
    mean = np.mean([face.embedding for face in faces], axis=0).astype(np.float32)
    for face in faces:
        similarity = _cosine(face.embedding, mean)
        face.info["distance_to_mean"] = round(float(np.linalg.norm(face.embedding - mean)), 4)
        face.score = round(max(similarity, 0.0) * face.info["frontal_score"] * (0.5 + 0.5 * face.info["quality"]), 4)
    faces.sort(key=lambda f: -f.score)
    # How much of each face hands, glasses or hair cover, kept in its info: portraits prefer
    # clean references. Imported here: the fusion package imports this module.
    from .fusion.occlusion import reference_cover

    for face in faces:
        reference_cover(face)
    report(0.95)
    meta = {
        "photos_given": len(photos),
        "photos_used": len(faces),
        "few_photos": len(faces) < RECOMMENDED_PHOTOS,
    }
    return Avatar(faces=faces, mean_embedding=mean, meta=meta), checks


def _avatar_face(check: PhotoCheck, name: str) -> AvatarFace:
    face = check.face
    assert face is not None and face.points is not None and face.pose is not None and check.rgb is not None
    matrix = canonical_matrix(face.points, CROP_SIDE)
    crop = warp_crop(check.rgb, matrix, CROP_SIDE)
    quality = check.quality.score() if check.quality else 0.0
    # Hands over the face were found by the check, in the whole photo (a hand cut by the crop's
    # edge is still a hand there): portraits leave them out without running MediaPipe again.
    hands = [transform_points(np.c_[hand, np.zeros(len(hand))], matrix)[:, :2] for hand in check.hands]
    hands = [hand for hand in hands if _overlaps_crop(hand)]
    return AvatarFace(
        crop=crop,
        points=transform_points(face.points, matrix),
        embedding=face.embedding.astype(np.float32),
        score=0.0,
        source=name,
        info={
            "frontal": check.frontal,
            "frontal_score": round(face.pose.frontal_score(), 4),
            "quality": round(quality, 4),
            "yaw": face.pose.yaw,
            "pitch": face.pose.pitch,
            "roll": face.pose.roll,
            "face_px": round(face.size / (check.rgb.shape[1] / check.original_size[0]), 1),
            "reasons": [reason.key for reason in check.reasons if reason.severity == "problem"],
            "hands": [np.round(hand, 1).tolist() for hand in hands],
        },
    )


def _overlaps_crop(points: np.ndarray) -> bool:
    low, high = points.min(axis=0), points.max(axis=0)
    return bool((high > 0).all() and (low < CROP_SIDE).all())


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-9))


def avatar_save(avatar: Avatar, path: str | Path) -> Path:
    """Write the artifact atomically: it appears complete at ``path`` or not at all."""
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise EngineError(ErrorCode.INVALID_OPTION, f"{target} exists and is not empty; choose a new folder.")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the artifact is an ordinary folder
    try:
        _write_artifact(avatar, staging)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_artifact(avatar: Avatar, folder: Path) -> None:
    (folder / "faces").mkdir()
    (folder / "masks").mkdir()
    entries = []
    for index, face in enumerate(avatar.faces):
        name = f"faces/{index:02d}.jpg"
        imaging.write(folder / name, face.crop, quality=95)
        entries.append({"crop": name, "source": face.source, "score": face.score, **face.info})
    np.save(folder / "landmarks.npy", np.stack([f.points for f in avatar.faces]).astype(np.float32))
    np.save(folder / "embeddings.npy", np.stack([f.embedding for f in avatar.faces]).astype(np.float32))
    reference = avatar.reference
    imaging.write(folder / "reference.png", reference.crop)
    imaging.write(folder / "masks/face.png", np.repeat(masks.face_mask(reference.points, reference.crop.shape)[:, :, None], 3, 2))
    imaging.write(folder / "masks/skin.png", np.repeat(masks.skin_mask(reference.points, reference.crop.shape)[:, :, None], 3, 2))
    files = {
        str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "backend": "classic",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "crop_side": CROP_SIDE,
        "reference": 0,
        "mean_embedding": [round(float(v), 6) for v in avatar.mean_embedding],
        "faces": entries,
        **avatar.meta,
        "files": files,
    }
    (folder / METADATA).write_text(json.dumps(meta, indent=1))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def avatar_load(path: str | Path) -> Avatar:
    """Load and validate an artifact; anything corrupted, foreign or newer is a clear error."""
    folder = Path(path)
    meta = _read_metadata(folder)
    for name, digest in meta["files"].items():
        file = folder / name
        if ".." in Path(name).parts or not file.is_file():
            raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar is incomplete: {name} is missing.")
        if _sha256(file) != digest:
            raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar is corrupted: {name} does not match its checksum.")
    try:
        points = np.load(folder / "landmarks.npy", allow_pickle=False)
        embeddings = np.load(folder / "embeddings.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar's arrays cannot be read.") from exc
    entries = meta["faces"]
    count = len(entries)
    if points.shape != (count, 478, 3) or embeddings.shape != (count, 128) or count == 0:
        raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar's arrays do not match its metadata.")
    mean = np.asarray(meta.get("mean_embedding", []), dtype=np.float32)
    if mean.shape != (128,) or not np.all(np.isfinite(mean)) or not np.all(np.isfinite(embeddings)):
        raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar's embeddings are missing or malformed.")
    side = meta.get("crop_side", CROP_SIDE)
    faces = []
    for index, entry in enumerate(entries):
        try:
            crop = imaging.read(folder / entry["crop"]).rgb
        except (EngineError, KeyError, TypeError) as exc:
            raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar's face {index} cannot be read.") from exc
        if crop.shape != (side, side, 3):
            raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar's face {index} is not {side}x{side} px.")
        info = {k: v for k, v in entry.items() if k not in ("crop", "source", "score")}
        faces.append(
            AvatarFace(
                crop=crop, points=points[index], embedding=embeddings[index], score=float(entry.get("score", 0.0)),
                source=entry.get("source", ""), info=info,
            )
        )
    extra = {k: meta[k] for k in ("photos_given", "photos_used", "few_photos", "created_at") if k in meta}
    return Avatar(faces=faces, mean_embedding=mean, meta=extra)


def _read_metadata(folder: Path) -> dict:
    file = folder / METADATA
    if not file.is_file():
        raise EngineError(ErrorCode.AVATAR_NOT_FOUND, f"{folder} holds no avatar ({METADATA} is missing).")
    try:
        meta = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar's {METADATA} is not valid JSON.") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise EngineError(ErrorCode.AVATAR_INVALID, f"{folder} is not a {FORMAT} artifact.")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise EngineError(ErrorCode.AVATAR_INVALID, f"The avatar has format version {version}; this engine reads up to {VERSION}.")
    if not isinstance(meta.get("files"), dict) or not isinstance(meta.get("faces"), list):
        raise EngineError(ErrorCode.AVATAR_INVALID, "The avatar's metadata lacks its file list.")
    return meta


def avatar_delete(path: str | Path) -> None:
    """Delete an artifact; refuses folders that are not avatars so a typo cannot wipe a disk."""
    folder = Path(path)
    _read_metadata(folder)
    shutil.rmtree(folder)
