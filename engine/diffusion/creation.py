"""Portraits with two diffusion passes around the classic engine's fused face (EasyPhoto's chain).

Each candidate: the classic fusion of the avatar's reference into the template; a first ControlNet
inpainting pass over each face with the avatar's LoRA (canny edges of the fused image, and the
mesh drawn as a landmark map where that ControlNet is present); the LAB colour shift toward the
template's skin; a second classic fusion, blended half-way (eyes from the fusion, lips from the
diffusion) to bring the avatar's features back; a second, gentler pass on the face's edge (or the
whole face) that redraws the seams; the last colour shift; then retouching, sharpening and
super-resolution as the classic engine does last. Candidates differ by seed (and reference face),
and are ranked by identity distance to the avatar, returned as the classic ``Portraits``.
"""
from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from PIL import Image

from .. import masks
from ..candidates import face_region
from ..color import from_lab, lab_stats, match_chroma_slope, to_lab, transfer_lab
from ..enhance import super_resolution, unsharp
from ..errors import TEMPLATE_NO_FACE_MESSAGE, EngineError, ErrorCode
from ..faces import distance
from ..faces import landmarks as lm
from ..faces.embed import face_embedding
from ..fusion.fuse import fuse_face
from ..identity import Avatar
from ..options import T2I_TEMPLATE
from ..portrait import (
    MAX_CANDIDATES,
    Portrait,
    Portraits,
    decode_template,
    faces_fuse,
    reference_plans,
    template_canvas,
    template_faces,
    template_fit_warnings,
    template_inspect,
)
from ..retouch import retouch_skin
from ..stylize import anime_look
from . import TRIGGER
from .conditions import canny, first_pass_mask, landmark_map, second_pass_mask
from .options import DiffusionOptions, avatar_lora
from .pipelines import (
    ModelSet,
    family,
    gpu_job,
    inpaint_pipeline,
    job_adapters,
    lora_load,
    text_pipeline,
    use_adapters,
)

PROMPT = f"{TRIGGER}, 1person, realistic photo, detailed skin, natural light, best quality"
NEGATIVE = "lowres, blurry, deformed face, bad anatomy, extra eyes, watermark, text, worst quality, cartoon"
# EasyPhoto's ControlNet weights: canny and pose 0.5 in the first pass, canny 1.0 in the second.
FIRST_CONTROL, SECOND_CONTROL = 0.5, 1.0
GUIDANCE, LCM_GUIDANCE = 7.0, 1.5
LCM_STEPS = 8  # LCM-LoRA's range is 4-8 steps; more gains nothing
AFTER_FUSION_RATIO = 0.5  # EasyPhoto's after_face_fusion_ratio: skin half fusion, half diffusion
CROP_FACTOR = 3.0  # crop_face_preprocess: the pass works on 3 face sizes around the face (EasyPhoto)
T2I_LORA_WEIGHT = 0.25  # the avatar's LoRA while generating a template: the pose, not the face
T2I_SIZE = {"sd15": (512, 768), "sdxl": (896, 1152)}  # width, height of a generated template
WORK_SIDE = {"sd15": 512, "sdxl": 1024}  # the passes' short side (what the models were trained at)


@dataclass
class DiffusionPortrait(Portrait):
    """A classic Portrait that says it was made by the diffusion backend, and with which seed."""

    backend: str = "diffusion"
    seed: int = 0


@dataclass
class _Job:
    """What every pass of one create shares."""

    pipe: object
    options: DiffusionOptions
    adapters: list[dict[str, float]]  # per template face: adapter name -> weight
    ip_images: list[Image.Image | None]
    landmarks: bool
    work_side: int
    prompt: str

    @property
    def guidance(self) -> float:
        return LCM_GUIDANCE if self.options.lcm_accelerate else GUIDANCE

    def steps(self, steps: int) -> int:
        return min(steps, LCM_STEPS) if self.options.lcm_accelerate else steps


def diffusion_create(
    template: bytes | np.ndarray | str,
    avatars: Sequence[Avatar],
    *,
    options: DiffusionOptions,
    models: ModelSet,
    n: int = 1,
    seed: int | None = None,
    work_side: int | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Portraits:
    """Up to ``n`` portraits, best (lowest identity distance) first. ``template`` is an image, or
    "t2i_generate" to generate one from ``options.t2i_prompt``. ``work_side`` overrides the passes'
    short side (tests run tiny models at 64 px)."""
    if not avatars:
        raise EngineError(ErrorCode.INVALID_OPTION, "At least one avatar is needed.")
    if not 1 <= n <= MAX_CANDIDATES:
        raise EngineError(ErrorCode.INVALID_OPTION, f"n must be between 1 and {MAX_CANDIDATES}.")
    generate = isinstance(template, (str, bytes)) and template in (T2I_TEMPLATE, T2I_TEMPLATE.encode())
    options.refuse_unusable(models=models, avatars=avatars, generate=generate, kind=family(models.base))
    report = on_progress or (lambda fraction: None)
    seed = secrets.randbelow(2**31) if seed is None else seed
    kind = family(models.base)
    with gpu_job():
        pipe = inpaint_pipeline(models.base, models.controlnets(), unet=models.inpaint)
        loras = _adapter_names(avatars)
        ip = models.ip_adapter if options.uses_ip_adapter(avatars) else None
        lcm = models.lcm_lora if options.lcm_accelerate else None
        with job_adapters(pipe, loras={name: path for path, name in loras.items()}, lcm=lcm, ip_adapter=ip):
            if ip is not None:
                pipe.set_ip_adapter_scale(options.ipa_weight)
            job = _Job(
                pipe=pipe, options=options, landmarks=models.landmarks is not None,
                adapters=[_face_adapters(avatar, loras, options) for avatar in avatars],
                ip_images=[_ip_image(avatar) if ip is not None else None for avatar in avatars],
                work_side=work_side or WORK_SIDE[kind], prompt=_prompt(options),
            )
            if generate:
                rgb = _generated_template(job, models, avatars, seed, kind)
            else:
                rgb = decode_template(template) if isinstance(template, (bytes, bytearray)) else template
            rgb = template_canvas(rgb)
            faces = template_faces(rgb, expected=len(avatars))
            fit_warnings = template_fit_warnings(rgb, faces, avatars)
            plans = reference_plans(avatars, faces)
            report(0.1)
            portraits = []
            for index in range(n):
                references = plans[index % len(plans)]
                portrait = _candidate(job, rgb, faces, avatars, references, seed + index)
                portrait.warnings = list(fit_warnings)
                portraits.append(portrait)
                report(0.1 + 0.9 * (index + 1) / n)
    portraits.sort(key=lambda p: p.identity_distance)
    return Portraits(portraits, requested=n)


def _prompt(options: DiffusionOptions) -> str:
    person = {"male": "1man", "female": "1woman"}.get(options.sex, "")
    return f"{PROMPT}, {person}" if person else PROMPT


def _adapter_names(avatars: Sequence[Avatar]) -> dict:
    """One adapter per distinct LoRA file (two faces of one avatar share it): path -> name."""
    names: dict = {}
    for avatar in avatars:
        path = avatar_lora(avatar)
        if path is not None and path not in names:
            names[path] = f"avatar{len(names)}"
    return names


def _face_adapters(avatar: Avatar, loras: dict, options: DiffusionOptions) -> dict[str, float]:
    """The adapters active while this avatar's face is drawn: its LoRA (and LCM-LoRA)."""
    path = avatar_lora(avatar)
    weights = {loras[path]: options.lora_weights} if path is not None else {}
    if options.lcm_accelerate:
        weights["lcm"] = 1.0
    return weights


def _ip_image(avatar: Avatar) -> Image.Image:
    """The avatar's reference face for IP-Adapter: the face region on white, square (EasyPhoto:
    CLIP resizes to 224 px, so the hair and background would only dilute the face)."""
    face = avatar.reference
    mask = masks.feather(masks.face_mask(face.points, face.crop.shape), 3.0)[:, :, None]
    white = np.full_like(face.crop, 255)
    image = (face.crop * mask + white * (1 - mask)).astype(np.uint8)
    x0, y0 = np.floor(face.points[:, :2].min(axis=0)).astype(int).clip(0)
    x1, y1 = np.ceil(face.points[:, :2].max(axis=0)).astype(int)
    side = max(x1 - x0, y1 - y0)
    square = np.full((side, side, 3), 255, np.uint8)
    cut = image[y0:y1, x0:x1]
    square[: cut.shape[0], : cut.shape[1]] = cut
    return Image.fromarray(square)


def _generated_template(job: _Job, models: ModelSet, avatars: Sequence[Avatar], seed: int, kind: str) -> np.ndarray:
    """A template drawn from ``t2i_prompt`` by the base model, the avatar's LoRA at a low weight
    (and the scene LoRA where ``scene_id`` names one)."""
    pipe = text_pipeline(job.pipe)
    weights = {name: T2I_LORA_WEIGHT for name in job.adapters[0] if name != "lcm"}
    if job.options.lcm_accelerate:
        weights["lcm"] = 1.0
    scene = {}
    if job.options.scene_id:
        lora_load(job.pipe, models.scenes / f"{job.options.scene_id}.safetensors", name="scene")
        scene = {"scene": 0.8}  # EasyPhoto's scene LoRA weight
    try:
        use_adapters(job.pipe, {**weights, **scene})
        scale = job.work_side / WORK_SIDE[kind]  # tests' tiny models draw small templates
        width, height = (max(64, round(side * scale / 8) * 8) for side in T2I_SIZE[kind])
        image = pipe(
            prompt=f"{job.options.t2i_prompt}, {job.prompt}, look at viewer", negative_prompt=NEGATIVE,
            num_inference_steps=job.steps(30), guidance_scale=job.guidance, width=width, height=height,
            generator=torch.Generator("cpu").manual_seed(seed), output_type="np",
        ).images[0]
    finally:
        if scene:
            job.pipe.delete_adapters(["scene"])
    rgb = np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)
    if not template_inspect(rgb):
        raise EngineError(ErrorCode.TEMPLATE_NO_FACE, f"{TEMPLATE_NO_FACE_MESSAGE} (the generated template has no face)")
    return rgb


def _candidate(job: _Job, rgb: np.ndarray, faces: list, avatars: Sequence[Avatar], references: list[int],
               seed: int) -> DiffusionPortrait:
    options, classic = job.options, job.options.fusion_options()
    occluders: list[str] = []
    if options.apply_face_fusion_before:
        image, targets, occluders = faces_fuse(rgb, faces, avatars, classic, references)
    else:
        image, targets = rgb, [face.points for face in faces]
    if options.background_restore:
        image = _background_pass(job, image, targets, seed)
    for index, points in enumerate(targets):
        image = _face_pass(job, image, points, index, seed, first=True)
        if options.classic.color_shift_middle:
            image = colour_shift(image, rgb, points, faces[index].points)
    if options.apply_face_fusion_after:
        for points, avatar, reference in zip(targets, avatars, references):
            image = _fusion_blend(image, fuse_face(image, points, avatar.faces[reference], classic))
    for index, points in enumerate(targets):
        image = _face_pass(job, image, points, index, seed, first=False)
        if options.classic.color_shift_last:
            image = colour_shift(image, rgb, points, faces[index].points)
    image, targets = _finish(image, targets, options)
    distances = [distance(face_embedding(image, p), avatar.mean_embedding) for p, avatar in zip(targets, avatars)]
    return DiffusionPortrait(
        image=image, identity_distance=round(float(np.mean(distances)), 4),
        face_distances=[round(d, 4) for d in distances], references=list(references), options=options.classic,
        regions=[face_region(image, p) for p in targets], occluders=occluders, seed=seed,
    )


def _crop_box(points: np.ndarray, shape: tuple[int, ...], crop: bool) -> tuple[int, int, int, int]:
    height, width = shape[:2]
    if not crop:
        return 0, 0, width, height
    low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    centre, half = (low + high) / 2, CROP_FACTOR * float((high - low).max()) / 2
    x0, y0 = np.maximum(np.floor(centre - half), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(centre + half), (width, height)).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


def _work_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The pass's size: the short side at ``side``, both sides multiples of 64 (the UNet's)."""
    scale = side / min(width, height)
    return max(64, round(width * scale / 64) * 64), max(64, round(height * scale / 64) * 64)


def _face_pass(job: _Job, image: np.ndarray, points: np.ndarray, index: int, seed: int, *, first: bool) -> np.ndarray:
    """One inpainting pass over one face; outside the (feathered) mask the image stays as it was."""
    options = job.options
    x0, y0, x1, y1 = _crop_box(points, image.shape, options.classic.crop_face_preprocess)
    crop = image[y0:y1, x0:x1]
    width, height = _work_size(x1 - x0, y1 - y0, job.work_side)
    work = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)
    local = points.astype(np.float64).copy()
    local[:, 0] = (local[:, 0] - x0) * width / (x1 - x0)
    local[:, 1] = (local[:, 1] - y0) * height / (y1 - y0)
    if first:
        mask = first_pass_mask(local, work.shape)
        steps, strength, scale = options.first_diffusion_steps, options.first_denoising_strength, FIRST_CONTROL
    else:
        mask = second_pass_mask(local, work.shape, options.classic.mask_region)
        steps, strength, scale = options.second_diffusion_steps, options.second_denoising_strength, SECOND_CONTROL
    controls = [canny(work)] + ([landmark_map(work.shape, [local])] if job.landmarks else [])
    drawn = _inpaint(job, work, mask, controls, scale, steps=job.steps(steps), strength=strength, index=index, seed=seed)
    drawn = cv2.resize(drawn, (x1 - x0, y1 - y0), interpolation=cv2.INTER_CUBIC)
    mask = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    alpha = masks.feather(mask, masks.eye_distance(points) * 0.08)[:, :, None]
    out = image.copy()
    out[y0:y1, x0:x1] = np.clip(crop + alpha * (drawn.astype(np.float32) - crop) + 0.5, 0, 255).astype(np.uint8)
    return out


def _inpaint(job: _Job, work: np.ndarray, mask: np.ndarray, controls: list[np.ndarray], scale: float, *,
             steps: int, strength: float, index: int, seed: int) -> np.ndarray:
    if strength <= 0:
        return work  # nothing to redraw
    # The pipelines denoise int(steps * strength) steps: at least one (SDXL's refuses to run none).
    steps = max(steps, math.ceil(1 / strength + 1e-6))
    use_adapters(job.pipe, job.adapters[index])
    single = len(controls) == 1
    kwargs = {}
    if job.ip_images[index] is not None:
        kwargs["ip_adapter_image"] = job.ip_images[index]
    result = job.pipe(
        prompt=job.prompt, negative_prompt=NEGATIVE, image=Image.fromarray(work), mask_image=Image.fromarray(mask),
        control_image=Image.fromarray(controls[0]) if single else [Image.fromarray(c) for c in controls],
        controlnet_conditioning_scale=scale if single else [scale] * len(controls),
        height=work.shape[0], width=work.shape[1], num_inference_steps=steps, strength=strength,
        guidance_scale=job.guidance, generator=torch.Generator("cpu").manual_seed(seed), output_type="np", **kwargs,
    )
    return np.clip(result.images[0] * 255 + 0.5, 0, 255).astype(np.uint8)


def _background_pass(job: _Job, image: np.ndarray, targets: list[np.ndarray], seed: int) -> np.ndarray:
    """background_restore: everything but the faces redrawn once (second-pass strength), so the
    template's background takes the portrait's light and look."""
    height, width = image.shape[:2]
    keep = np.zeros((height, width), np.uint8)
    for points in targets:
        keep = np.maximum(keep, first_pass_mask(points, image.shape))
    work_w, work_h = _work_size(width, height, job.work_side)
    work = cv2.resize(image, (work_w, work_h), interpolation=cv2.INTER_AREA)
    mask = cv2.resize(255 - keep, (work_w, work_h), interpolation=cv2.INTER_NEAREST)
    controls = [canny(work)] + ([np.zeros_like(work)] if job.landmarks else [])
    drawn = _inpaint(job, work, mask, controls, SECOND_CONTROL, steps=job.steps(job.options.second_diffusion_steps),
                     strength=job.options.second_denoising_strength, index=0, seed=seed)
    drawn = cv2.resize(drawn, (width, height), interpolation=cv2.INTER_CUBIC)
    alpha = cv2.GaussianBlur(255 - keep, (0, 0), 3).astype(np.float32)[:, :, None] / 255.0
    return np.clip(image + alpha * (drawn.astype(np.float32) - image) + 0.5, 0, 255).astype(np.uint8)


def colour_shift(image: np.ndarray, template: np.ndarray, points: np.ndarray, template_points: np.ndarray) -> np.ndarray:
    """The face's skin moved to the template face's LAB statistics and to the way its colour
    changes with lightness (the classic colour shift: color.transfer_lab, match_chroma_slope)."""
    skin = masks.skin_mask(points, image.shape)
    reference = masks.skin_mask(template_points, template.shape)
    rows, cols = np.nonzero(masks.face_mask(points, image.shape))
    if len(rows) < 16:
        return image
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    lab = to_lab(image[box])
    template_lab = to_lab(template)
    shifted_lab = transfer_lab(lab, skin[box], lab_stats(template_lab, reference), strength=1.0, contrast=0.5)
    match_chroma_slope(shifted_lab, skin[box], template_lab[reference > 0])
    shifted = from_lab(shifted_lab)
    alpha = masks.feather(masks.face_mask(points, image.shape)[box], masks.eye_distance(points) * 0.05)[:, :, None]
    out = image.copy()
    out[box] = np.clip(image[box] + alpha * (shifted.astype(np.float32) - image[box]) + 0.5, 0, 255).astype(np.uint8)
    return out


def _fusion_blend(image: np.ndarray, fused) -> np.ndarray:
    """The second fusion blended as EasyPhoto does: eyes from the fusion, lips from the diffusion,
    the rest of the face half and half."""
    points = fused.target_points
    weight = fused.alpha * AFTER_FUSION_RATIO
    parts = np.zeros(image.shape[:2], np.uint8)
    for eye in (lm.RIGHT_EYE, lm.LEFT_EYE):
        cv2.fillPoly(parts, [np.round(points[eye, :2]).astype(np.int32)], 255)
    eyes = masks.grow_mask(parts, masks.eye_distance(points) * 0.12) > 0
    weight[eyes] = fused.alpha[eyes]
    weight[masks.lips_mask(points, image.shape) > 0] = 0.0
    weight = cv2.GaussianBlur(weight, (0, 0), max(masks.eye_distance(points) * 0.04, 1.0))[:, :, None]
    return np.clip(image + weight * (fused.image.astype(np.float32) - image) + 0.5, 0, 255).astype(np.uint8)


def _finish(image: np.ndarray, targets: list[np.ndarray], options: DiffusionOptions):
    """The classic engine's last steps: skin retouching and sharpening on the faces, then
    super-resolution and the anime look on the whole image."""
    classic = options.classic
    for points in targets:
        face_width = masks.eye_distance(points) * 2.3
        alpha = masks.feather(masks.face_mask(points, image.shape), face_width * 0.02)
        if classic.skin_retouching_bool:
            skin = masks.feather(masks.skin_mask(points, image.shape), face_width * 0.02)
            image = retouch_skin(image, skin, face_width=face_width)
        if classic.sharp_ratio > 0:
            image = unsharp(image, amount=classic.sharp_ratio, sigma=max(face_width / 300, 0.8), mask=alpha)
    if classic.photo_enhancement_bool and classic.photo_enhancement_method == "super_resolution":
        scale = 2.0
        image = super_resolution(image)
        targets = [p * np.array([scale, scale, scale], np.float32) for p in targets]
    if classic.style_name == "Anime":
        image = anime_look(image)
    return image, targets
