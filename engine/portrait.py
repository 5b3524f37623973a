"""Portrait creation: template + avatar(s) + options -> up to n distinct portraits ranked by identity.

Faces in the template are taken left to right, one avatar each. A template under MIN_LONG_SIDE
is enlarged first, so the faces are fused at full size. The candidates use the avatar's reference
faces best fit first (head turn, mouth, smile), one reference (or, with several avatars, one
combination of references) each; a candidate whose face regions come out too like an earlier
one's (engine.candidates) is dropped, so fewer than n may come back, with ``Portraits.note``
saying why. Every candidate is measured: the identity distance of its face to the avatar's mean
embedding; and every template face is compared with its avatar (engine.fit) for warnings.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import imaging
from .candidates import DISTINCT_SSIM, face_region, faces_ssim
from .enhance import super_resolution, upscale_to
from .errors import FACE_COUNT_MESSAGE, TEMPLATE_DECODE_MESSAGE, TEMPLATE_NO_FACE_MESSAGE, EngineError, ErrorCode
from .faces import Face, analyze_faces, distance, landmarks
from .faces.embed import face_embedding
from .fit import Traits, avatar_traits, face_traits, fit_warnings
from .fusion.fuse import fuse_face
from .fusion.occlusion import reference_cover, reference_occluders
from .identity import Avatar, AvatarFace
from .options import PortraitOptions
from .stylize import anime_look

MAX_CANDIDATES = 8
POSE_MATCH_DEGREES = 20.0  # a reference this far from the template's pose keeps 37 % of its score
MOUTH_MATCH = 0.25  # likewise for this difference in mouth opening (lip gap / mouth width)
# Likewise for this difference in smile (corner lift / mouth width, landmarks.smile): composed
# faces measure about 0, smiles 0.1 to 0.2 on ../shared/data.
SMILE_MATCH = 0.08
# A reference whose face is COVER_FREE + this share covered (hands, glasses, hair:
# occlusion.reference_cover) keeps 37 % of its score: a clean one of the same fit is used first,
# and covered ones, repaired as well as they can be, only where no clean reference fits.
# Spectacles measure about 0.15; bare faces up to 0.045 on ../shared/data (the colour model's
# stray pixels, a beard's edge), which would otherwise trade fit for nothing.
COVER_FREE = 0.05
COVER_MATCH = 0.1
# Portraits are at least this many pixels on their long side: smaller templates are enlarged
# first. Larger ones are used as they are (no point paying to enlarge a 3000 px template).
MIN_LONG_SIDE = 1024
# Combinations of references tried beyond n for distinct candidates: each costs a fusion, and
# past a few more the references left are the worst fits anyway.
EXTRA_TRIES = 3
# A candidate whose face comes out this far from its avatar (dlib's embedding distance; 0.6 is its
# same-person threshold, and past 0.40 a portrait reads as the person only at a glance) is tried
# again from the next RESCUE_TRIES references of the plan, with the likeness search's setting,
# and the closest kept. The best-fitting reference is not always the one that carries the face
# best: the 27 portraits of bench/engine.py's 234 past 0.40, made again from the 2nd and 3rd
# references, came to 0.26-0.49, and 11 under 0.40. Only portraits past it pay the two fusions.
# A rescue is kept only when it is RESCUE_MARGIN closer: looked at, the rescued portraits of
# poorer references (small, side-lit photos) showed their shadows as streaks on the cheek, which
# a gain of 0.007 (one of the 11) does not pay for, and the gains that change how the face reads
# were 0.02-0.15.
LIKENESS_RESCUE = 0.40
RESCUE_TRIES = 2
# The likeness search's try from the avatar's best reference, where the plan's differs, must win
# by as much: a turned template's speaking reference, its mouth closed (fusion.fuse._mouth_closed),
# gave way to a frontal grin 0.015 closer, pasted on the turned head.
RESCUE_MARGIN = 0.02
# A portrait still LIKENESS_RESCUE or farther is made again with up to COMPANIONS of the avatar's
# other faces mixed into its reference (fusion.companions), those turned within COMPANION_TURN
# degrees of it (_turn: yaw, and half the pitch): one face's lit side over the other's
# shaded one would be a stain.
COMPANIONS = 2
COMPANION_TURN = 15.0


@dataclass
class Portrait:
    image: np.ndarray
    identity_distance: float  # mean over the template's faces; lower is more like the avatar
    face_distances: list[float]
    references: list[int]  # which avatar face each template face was made from
    options: PortraitOptions
    # What a customer should know about this portrait's fit (engine.fit: apparent age, gender).
    warnings: list[str] = field(default_factory=list)
    regions: list[np.ndarray] = field(default_factory=list, repr=False)  # grey faces, for distinctness
    # What was found in front of a template face or of its reference face, e.g. "template:spectacles",
    # "reference:hair" (engine.fusion.occlusion); the template's stay in front, the reference's are left out.
    occluders: list[str] = field(default_factory=list)
    # The avatar faces mixed into each reference (fusion.companions); empty lists for none.
    companions: list[list[int]] = field(default_factory=list)


class Portraits(list):
    """The portraits of one create, best first, and why fewer than ``requested`` came back."""

    def __init__(self, portraits: Sequence[Portrait] = (), *, requested: int = 0, reason: str = "") -> None:
        super().__init__(portraits)
        self.requested = requested
        self.reason = reason  # e.g. "the avatar has only 3 distinct reference faces"; empty when all came

    @property
    def note(self) -> str:
        """What to tell the customer, e.g. "3 of 4 made: the avatar has only 3 distinct reference faces."."""
        return f"{len(self)} of {self.requested} made: {self.reason}." if len(self) < self.requested else ""


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


def template_canvas(rgb: np.ndarray) -> np.ndarray:
    """The template as portraits are made on it: enlarged to MIN_LONG_SIDE when smaller."""
    if max(rgb.shape[:2]) >= MIN_LONG_SIDE:
        return rgb
    return upscale_to(rgb, long_side=MIN_LONG_SIDE)


def portrait_create(
    template: bytes | np.ndarray,
    avatars: Sequence[Avatar],
    *,
    options: PortraitOptions | None = None,
    n: int = 1,
    on_progress: Callable[[float], None] | None = None,
) -> Portraits:
    """Up to ``n`` distinct portraits, best (lowest identity distance) first; fewer when the
    avatars do not give n distinct ones, and then ``note`` says so."""
    if not avatars:
        raise EngineError(ErrorCode.INVALID_OPTION, "At least one avatar is needed.")
    if not 1 <= n <= MAX_CANDIDATES:
        raise EngineError(ErrorCode.INVALID_OPTION, f"n must be between 1 and {MAX_CANDIDATES}.")
    options = options or PortraitOptions()
    report = on_progress or (lambda fraction: None)
    rgb = decode_template(template) if isinstance(template, (bytes, bytearray)) else template
    rgb = template_canvas(rgb)
    faces = template_faces(rgb, expected=len(avatars))
    warnings = template_fit_warnings(rgb, faces, avatars)
    report(0.1)
    plans = reference_plans(avatars, faces)
    portraits: list[Portrait] = []
    queue, used = list(plans), []  # references still to try; references made into a candidate
    alike = tries = 0
    while queue and len(portraits) < n and tries < n + EXTRA_TRIES:
        references = queue.pop(0)
        if references in used:
            continue
        tries += 1
        spare = [plan for plan in queue if plan not in used and plan != references][:RESCUE_TRIES]
        portrait = _candidate(rgb, faces, avatars, options, references, first=not portraits, spare=spare)
        used.append(portrait.references)
        if portrait.references != references:
            # The likeness search made it from the avatar's best references instead: the planned
            # ones stay for the next candidate.
            queue.insert(0, references)
        if any(faces_ssim(portrait.regions, other.regions) >= DISTINCT_SSIM for other in portraits):
            alike += 1
        else:
            portrait.warnings = list(warnings) + _cover_warnings(avatars, portrait.references)
            portraits.append(portrait)
        report(0.1 + 0.9 * max(len(portraits) / n, tries / (n + EXTRA_TRIES)))
    portraits.sort(key=lambda p: p.identity_distance)
    report(1.0)
    reason = _shortfall(len(portraits), n, plans=len(plans), alike=alike, avatars=len(avatars))
    return Portraits(portraits, requested=n, reason=reason)


_COVER_WORDS = {"spectacles": "glasses", "sunglasses": "sunglasses", "hand": "a hand", "hair": "hair"}
COVER_WARNING = ("Made from a photo with {what} over the face: traces of it may show. Photos with the face clear "
                 "make cleaner portraits; add some to the avatar.")


def _cover_warnings(avatars: Sequence[Avatar], references: list[int]) -> list[str]:
    """A warning for each reference face a portrait was made from that something covers
    (occlusion.reference_occluders): what covers it is left out and painted over as well as the
    classic engine can, which shows on a close look; the customer can fix it with clear photos."""
    warnings = []
    for position, (avatar, index) in enumerate(zip(avatars, references), start=1):
        found = reference_occluders(avatar.faces[index])
        if found:
            what = " and ".join(_COVER_WORDS[kind] for kind in found)
            warning = COVER_WARNING.format(what=what)
            warnings.append(warning if len(avatars) == 1 else f"Face {position} from the left: {warning}")
    return warnings


def _shortfall(made: int, n: int, *, plans: int, alike: int, avatars: int) -> str:
    """Why ``made`` < ``n``: too few reference faces, or candidates too alike to be separate."""
    if made >= n:
        return ""
    if alike:
        return f"the others came out too alike to be separate portraits (face similarity SSIM >= {DISTINCT_SSIM})"
    what = "the avatar has only" if avatars == 1 else "the avatars give only"
    faces = "distinct reference face" if avatars == 1 else "distinct combination of reference faces"
    return f"{what} {plans} {faces}{'' if plans == 1 else 's'}"


def reference_plans(avatars: Sequence[Avatar], faces: list[Face]) -> list[list[int]]:
    """The combinations of references (one avatar face per template face) candidates are made
    from, best fit first: with one avatar its faces in ``reference_order``; with several, the
    combinations ordered by the sum of their ranks (then the worst rank), so each candidate
    changes as little fit as it can."""
    orders = [reference_order(avatar, face) for avatar, face in zip(avatars, faces)]
    ranked = itertools.product(*[range(len(order)) for order in orders])
    ranks = sorted(itertools.islice(ranked, 4096), key=lambda r: (sum(r), max(r), r))
    return [[order[rank] for order, rank in zip(orders, combination)] for combination in ranks]


def template_fit_warnings(rgb: np.ndarray, faces: list[Face], avatars: Sequence[Avatar]) -> list[str]:
    """engine.fit's warnings for each template face against its avatar, named by position when
    the template has several faces."""
    warnings = []
    for position, (face, avatar) in enumerate(zip(faces, avatars), start=1):
        for warning in fit_warnings(face_traits(rgb, face.points), _avatar_traits(avatar)):
            warnings.append(warning if len(faces) == 1 else f"Face {position} from the left: {warning}")
    return warnings


def _avatar_traits(avatar: Avatar) -> Traits:
    """The avatar's traits, measured once per avatar object and kept in its meta as plain numbers
    (a segmentation per reference face: 20-200 ms an avatar)."""
    if "traits" not in avatar.meta:
        traits = avatar_traits([(face.crop, face.points) for face in avatar.faces])
        avatar.meta["traits"] = dataclasses.asdict(traits)
    return Traits(**avatar.meta["traits"])


def _candidate(rgb: np.ndarray, faces: list[Face], avatars: Sequence[Avatar], options: PortraitOptions,
               references: list[int], *, first: bool, spare: Sequence[list[int]] = ()) -> Portrait:
    """The portrait of ``references``; with the likeness search, the closest to the avatar of a
    few tries, and, when that is still LIKENESS_RESCUE or farther, of the same references with
    their companions mixed in and of the ``spare`` references too."""
    tries = [(references, options)]
    if options.likeness_search:
        # The other try leans on the avatar: its full face shape, and, for the first candidate,
        # the avatar's own best reference where the pose-matched one differs from it.
        best = [0 for _ in avatars]
        if first and best != references:
            tries = [(references, _likeness_variant(options)), (best, _likeness_variant(options))]
        else:
            tries = [(references, options), (references, _likeness_variant(options))]
    portraits = [_fuse_all(rgb, faces, avatars, variant, refs) for refs, variant in tries]
    # The planned references fit the template best: others win only by RESCUE_MARGIN.
    best = _margin_kept([p for p in portraits if p.references == references],
                        [p for p in portraits if p.references != references])
    if not options.likeness_search or best.identity_distance < LIKENESS_RESCUE:
        return best
    # Still far: other references, taken only for a clear gain (their turn or expression can
    # show); and the same references with the avatar's other faces that turn alike mixed in
    # (fusion.companions), kept when closer at all, as the likeness variant is.
    tried = [refs for refs, _ in tries]
    rescues = [_fuse_all(rgb, faces, avatars, _likeness_variant(options), refs) for refs in spare if refs not in tried]
    rescued = _margin_kept([best], rescues)
    companions = [companion_faces(avatar, face, index) for avatar, face, index in zip(avatars, faces, best.references)]
    if not any(companions):
        return rescued
    mixed = _fuse_all(rgb, faces, avatars, best.options, best.references, companions)
    return min((rescued, mixed), key=lambda p: p.identity_distance)


def _margin_kept(kept: Sequence[Portrait], others: Sequence[Portrait]) -> Portrait:
    """The closest to its avatar of ``kept`` (one at least), unless the closest of ``others`` is
    RESCUE_MARGIN closer still."""
    best = min(kept, key=lambda p: p.identity_distance)
    rival = min(others, key=lambda p: p.identity_distance, default=None)
    if rival is not None and rival.identity_distance <= best.identity_distance - RESCUE_MARGIN:
        return rival
    return best


def faces_fuse(
    rgb: np.ndarray, faces: list[Face], avatars: Sequence[Avatar], options: PortraitOptions, references: list[int],
    companions: Sequence[list[int]] | None = None,
) -> tuple[np.ndarray, list[np.ndarray], list[str]]:
    """Every template face replaced, left to right, by its avatar's face ``references[i]``
    (with its ``companions[i]`` mixed in): (image, where each face's landmarks now are, the
    occluders found).

    Faces near each other share pixels of their work areas: fusing a face may reshape (liquify)
    or resample what an earlier face made there. So each earlier face keeps its own pixels in
    proportion to its blend mask, wherever the later face's own mask is weaker.
    """
    image = rgb
    targets, occluders = [], []
    kept = np.zeros(rgb.shape[:2], np.float32)  # how much of each pixel earlier faces made
    companions = companions or [[] for _ in faces]
    for face, avatar, index, others in zip(faces, avatars, references, companions):
        fused = fuse_face(image, face.points, avatar.faces[index], options, [avatar.faces[i] for i in others])
        if targets:
            protect = (kept * (1.0 - fused.alpha))[:, :, None]
            merged = fused.image + protect * (image.astype(np.float32) - fused.image)
            fused.image = np.clip(merged + 0.5, 0, 255).astype(np.uint8)
        kept = np.maximum(kept, fused.alpha)
        image = fused.image
        targets.append(fused.target_points)
        occluders += [o for o in fused.occluders if o not in occluders]
    return image, targets, occluders


def _fuse_all(
    rgb: np.ndarray, faces: list[Face], avatars: Sequence[Avatar], options: PortraitOptions, references: list[int],
    companions: Sequence[list[int]] | None = None,
) -> Portrait:
    image, targets, occluders = faces_fuse(rgb, faces, avatars, options, references, companions)
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
        regions=[face_region(image, points) for points in targets],
        occluders=occluders,
        companions=[list(c) for c in companions] if companions else [[] for _ in faces],
    )


def reference_order(avatar: Avatar, face: Face) -> list[int]:
    """The avatar's faces, best reference for this template face first: the avatar's own ranking
    weighed by how close each face's head turn, mouth opening and smile are to the template's
    (``_fit``). A frontal reference warped onto a face turned 25 degrees must invent the hidden
    cheek; a reference turned the same way has it (turned templates were where portraits fell
    short of their avatar most often). A smile pasted on a composed template (or a composed
    mouth on a laughing one) reads as a different mood and leaves the cheeks' folds in the wrong
    places."""
    if face.pose is None:
        return list(range(len(avatar.faces)))
    template = _Look(face.pose.yaw, face.pose.pitch, landmarks.mouth_opening(face.points), landmarks.smile(face.points))

    def weight(index: int) -> float:
        candidate = avatar.faces[index]
        cover = max(reference_cover(candidate) - COVER_FREE, 0.0) / COVER_MATCH
        return candidate.score * _fit(_look(candidate), template) * float(np.exp(-cover))

    return sorted(range(len(avatar.faces)), key=lambda index: -weight(index))


def companion_faces(avatar: Avatar, face: Face, index: int) -> list[int]:
    """The avatar's faces to mix into reference ``index`` on this template face (fusion.companions):
    up to COMPANIONS of those, in ``reference_order``, turned within COMPANION_TURN of the
    reference and with no hand or sunglasses over them (those would be mixed in too)."""
    own = _look(avatar.faces[index])
    chosen = []
    for other in reference_order(avatar, face):
        candidate = avatar.faces[other]
        if other == index or {"hand", "sunglasses"} & set(reference_occluders(candidate)):
            continue
        if _turn(_look(candidate), own) <= COMPANION_TURN:
            chosen.append(other)
    return chosen[:COMPANIONS]


@dataclass(frozen=True)
class _Look:
    yaw: float
    pitch: float
    mouth: float  # lip gap / mouth width
    smile: float


def _look(face: AvatarFace) -> _Look:
    info = face.info
    return _Look(info.get("yaw", 0.0), info.get("pitch", 0.0), landmarks.mouth_opening(face.points),
                 landmarks.smile(face.points))


def _turn(one: _Look, other: _Look) -> float:
    """Degrees between two heads' turns, the pitch counting half (a nod hides less than a turn)."""
    return float(np.hypot(one.yaw - other.yaw, 0.5 * (one.pitch - other.pitch)))


def _fit(one: _Look, other: _Look) -> float:
    """1.0 for the same turn, mouth and smile, falling off as a Gaussian of each difference."""
    mouth, smile = one.mouth - other.mouth, one.smile - other.smile
    return float(np.exp(-((_turn(one, other) / POSE_MATCH_DEGREES) ** 2) - (mouth / MOUTH_MATCH) ** 2 - (smile / SMILE_MATCH) ** 2))


def _likeness_variant(options: PortraitOptions) -> PortraitOptions:
    return dataclasses.replace(options, more_like_me_before=1.0, face_shape_match=True)
