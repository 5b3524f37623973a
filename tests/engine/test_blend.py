"""engine.fusion.blend and texture: the new face meets the template without a seam.

Synthetic images check each promise of the blend and the texture match on its own; real faces
(the astronaut into Grace Hopper, and a short-haired template of ../shared/data) check that
fuse_face keeps them.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.seams import seam_ratio
from engine import imaging, masks
from engine.faces import analyze_faces
from engine.fusion.blend import band_weights, multiband_blend
from engine.fusion.fuse import BAND_RAMPS, BAND_SCALES, FOREHEAD_WIDEN, fuse_face
from engine.fusion.texture import match_detail, match_grain, noise_sigma
from engine.options import PortraitOptions

SIZE = 256
FACE_WIDTH = 160.0  # px: the synthetic face's width, for the band scales


def disc_alpha(radius: float = 80.0, feather: float = 8.0) -> np.ndarray:
    hard = np.zeros((SIZE, SIZE), np.uint8)
    cv2.circle(hard, (SIZE // 2, SIZE // 2), int(radius), 255, -1)
    return masks.feather(hard, feather)


def flat(colour: tuple[int, int, int]) -> np.ndarray:
    return np.full((SIZE, SIZE, 3), colour, np.uint8)


def blend(base: np.ndarray, top: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    weights = band_weights(alpha, [r * FACE_WIDTH for r in BAND_RAMPS])
    return multiband_blend(base, top, weights, [s * FACE_WIDTH for s in BAND_SCALES])


def grainy(colour: tuple[int, int, int], sigma: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, sigma, (SIZE, SIZE, 1))
    return np.clip(np.array(colour, np.float32) + noise + 0.5, 0, 255).astype(np.uint8)


def test_multiband_blend_of_two_flat_colours_has_no_step_at_the_boundary():
    out = blend(flat((90, 90, 90)), flat((170, 130, 100)), disc_alpha()).astype(np.int16)
    # An 80-level difference in red: no pixel differs from its neighbour by more than 5 % of it.
    step = max(np.abs(np.diff(out, axis=0)).max(), np.abs(np.diff(out, axis=1)).max())
    assert step <= 0.05 * 80


def transition_width(row: np.ndarray, low: float, high: float) -> int:
    """Pixels of ``row`` between 10 % and 90 % of the way from ``low`` to ``high``."""
    share = (row - low) / (high - low)
    return int(((share > 0.1) & (share < 0.9)).sum())


def test_multiband_blend_fades_colour_in_wider_than_feathering_on_a_forehead():
    alpha = disc_alpha()
    widen = np.full(alpha.shape, 1.0 + FOREHEAD_WIDEN, np.float32)  # the top of a forehead
    weights = band_weights(alpha, [r * FACE_WIDTH for r in BAND_RAMPS], widen=widen)
    out = multiband_blend(flat((90, 90, 90)), flat((170, 130, 100)), weights, [s * FACE_WIDTH for s in BAND_SCALES])
    feathered = 90 + alpha[SIZE // 2] * 80
    ours = out[SIZE // 2, :, 0].astype(np.float32)
    assert transition_width(ours, 90, 170) >= 2 * transition_width(feathered, 90, 170)


def test_multiband_blend_keeps_base_byte_for_byte_where_alpha_is_zero():
    alpha = disc_alpha()
    base, top = grainy((90, 90, 90), 5.0, seed=1), grainy((200, 120, 60), 5.0, seed=2)
    out = blend(base, top, alpha)
    untouched = alpha <= 1e-3
    assert np.array_equal(out[untouched], base[untouched])


def test_multiband_blend_gives_the_new_face_where_every_weight_is_one():
    base, top = grainy((90, 90, 90), 5.0, seed=1), grainy((200, 120, 60), 5.0, seed=2)
    out = blend(base, top, disc_alpha(radius=120.0))
    centre = (slice(SIZE // 2 - 5, SIZE // 2 + 5),) * 2
    assert np.abs(out[centre].astype(np.int16) - top[centre]).max() <= 1


def test_band_weights_never_exceed_the_mask():
    alpha = disc_alpha()
    for weight in band_weights(alpha, [10.0, 40.0, 80.0], widen=np.full(alpha.shape, 2.0, np.float32)):
        assert (weight <= alpha + 1e-6).all()


def test_matched_grain_brings_the_face_noise_sigma_to_the_template_s():
    template = grainy((150, 120, 100), 6.0, seed=3)
    alpha = disc_alpha()
    face = blend(template, grainy((160, 125, 105), 0.5, seed=4), alpha)
    inside = alpha > 0.99
    out = match_grain(face, template, inside, alpha)
    assert noise_sigma(face, inside) < 0.3 * noise_sigma(template, inside)
    assert noise_sigma(out, inside) == pytest.approx(noise_sigma(template, inside), rel=0.15)


def test_matched_texture_softens_a_face_sharper_than_the_template():
    template = cv2.GaussianBlur(grainy((150, 120, 100), 6.0, seed=3), (0, 0), 1.2)
    alpha = disc_alpha()
    face = blend(template, grainy((160, 125, 105), 6.0, seed=4), alpha)
    inside = alpha > 0.99
    out = match_grain(face, template, inside, alpha)
    assert noise_sigma(out, inside) < 0.7 * noise_sigma(face, inside)


def lined(colour: tuple[int, int, int], amount: float, seed: int) -> np.ndarray:
    """Flat skin with texture at the scale of pores (1-2 px), no grain."""
    noise = np.random.default_rng(seed).normal(0.0, amount, (SIZE, SIZE)).astype(np.float32)
    texture = cv2.GaussianBlur(noise, (0, 0), 1.0)[:, :, None]
    return np.clip(np.array(colour, np.float32) + texture + 0.5, 0, 255).astype(np.uint8)


def test_matched_texture_raises_no_pores_on_a_retouched_face():
    template = lined((150, 120, 100), 40.0, seed=3)
    alpha = disc_alpha()
    face = blend(template, lined((160, 125, 105), 10.0, seed=4), alpha)
    inside = alpha > 0.99
    out = match_detail(face, template, alpha, inside, add_detail=False)
    assert band(out, 1.0, 2.0)[inside].std() <= 1.05 * band(face, 1.0, 2.0)[inside].std()


def test_matched_texture_raises_pores_toward_an_older_template_s():
    template = lined((150, 120, 100), 40.0, seed=3)
    alpha = disc_alpha()
    face = blend(template, lined((160, 125, 105), 10.0, seed=4), alpha)
    inside = alpha > 0.99
    out = match_detail(face, template, alpha, inside)
    assert band(out, 1.0, 2.0)[inside].std() >= 1.2 * band(face, 1.0, 2.0)[inside].std()


def band(rgb: np.ndarray, fine: float, coarse: float) -> np.ndarray:
    gray = rgb.astype(np.float32).mean(axis=2)
    return cv2.GaussianBlur(gray, (0, 0), fine) - cv2.GaussianBlur(gray, (0, 0), coarse)


# --- fuse_face on real faces ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hopper_fused(grace_hopper_jpg, astronaut_avatar):
    template = imaging.decode(grace_hopper_jpg).rgb
    (face,) = analyze_faces(template, embed=False)
    fused = fuse_face(template, face.points, astronaut_avatar.reference, PortraitOptions())
    return template, face, fused


def test_fuse_face_keeps_the_template_byte_for_byte_beyond_the_face(hopper_fused):
    template, face, fused = hopper_fused
    oval = face.points[:, :2]
    centre = oval.mean(axis=0)
    # Past the liquify ring (1.3 x the outline) and outside the blend, nothing may change.
    reach = np.zeros(template.shape[:2], np.uint8)
    ring = centre + 1.4 * (oval - centre)
    cv2.fillConvexPoly(reach, cv2.convexHull(np.round(ring).astype(np.int32)), 255)
    outside = (reach == 0) & (fused.alpha <= 1e-3)
    assert outside.sum() > 0.5 * template.shape[0] * template.shape[1]
    assert np.array_equal(fused.image[outside], template[outside])


def test_fuse_face_matches_the_template_s_grain_on_the_new_face(hopper_fused):
    template, face, fused = hopper_fused
    # Grace Hopper's 1984 photo is grainy; the astronaut's NASA portrait much less so.
    skin = masks.face_mask(fused.target_points, template.shape, region="face") > 0
    skin &= masks.features_mask(fused.target_points, template.shape, grow=0.2) == 0
    skin &= fused.alpha > 0.95
    theirs = masks.face_mask(face.points, template.shape, region="face") > 0
    theirs &= masks.features_mask(face.points, template.shape, grow=0.2) == 0
    assert noise_sigma(fused.image, skin) == pytest.approx(noise_sigma(template, theirs), rel=0.35)


def test_fuse_face_draws_no_seam_across_a_bare_forehead(shared_data, built_avatar):
    template = imaging.decode((shared_data / "templates/facechain_styles/Gentleman.jpg").read_bytes(), max_side=1024).rgb
    (face,) = analyze_faces(template, embed=False)
    avatar = built_avatar("kit_harington").avatar
    fused = fuse_face(template, face.points, avatar.reference, PortraitOptions())
    # 1.0 is as smooth as the template itself; plain feathering measured 3.4 here, this blend 2.0.
    assert seam_ratio(template, fused.image, fused.alpha) < 2.5
