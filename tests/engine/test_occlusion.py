"""Occlusion both ways: the template's glasses, hair and hands stay in front of the new face; the
reference's glasses, hands and hair never reach the template; the portrait says what it found.

Real photos: matplotlib's Grace Hopper (spectacles), the astronaut, and ../shared/data's faces
and templates. No template there wears sunglasses: those are drawn onto a real template at its
mesh's eyes (glasses_drawing.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from engine import imaging, masks
from engine.faces import analyze_faces
from engine.faces.glasses import find_glasses
from engine.faces.hands import find_hands
from engine.fusion import occlusion
from engine.fusion.occlusion import CHEEKS_AND_NOSE, _beard, _Busyness, occlusion_mask
from engine.identity import avatar_build, avatar_load, avatar_save
from engine.portrait import portrait_create
from tests.engine.glasses_drawing import draw_glasses


def read(path: Path) -> np.ndarray:
    return imaging.decode(path.read_bytes(), max_side=1024).rgb


def only_points(rgb: np.ndarray) -> np.ndarray:
    (face,) = [face for face in analyze_faces(rgb, embed=False) if face.points is not None]
    return face.points


def lens_area(points: np.ndarray, shape) -> np.ndarray:
    """Both eyes and the skin just around them: what a sunglass lens hides."""
    mask = np.zeros(shape[:2], np.uint8)
    eyes = float(np.linalg.norm(points[468, :2] - points[473, :2]))
    for centre in (points[468, :2], points[473, :2]):
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), (int(eyes * 0.25), int(eyes * 0.15)), 0, 0, 360, 255, -1)
    return mask > 0


# --- finding glasses ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hopper(grace_hopper_jpg) -> np.ndarray:
    return imaging.decode(grace_hopper_jpg).rgb


@pytest.fixture(scope="module")
def astronaut_with_sunglasses(astronaut) -> np.ndarray:
    return draw_glasses(astronaut, only_points(astronaut), kind="sunglasses")


def test_find_glasses_sees_grace_hoppers_spectacles(hopper):
    glasses = find_glasses(hopper, only_points(hopper))

    assert glasses is not None and glasses.kind == "spectacles"


@pytest.mark.parametrize("photo", ["sundar_pichai/1.jpg", "sundar_pichai/2.jpg", "eric_clapton/1.jpg",
                                   "eric_clapton/2.jpg", "john_lennon/1.jpg"])
def test_find_glasses_sees_real_spectacles(shared_data, photo):
    rgb = read(shared_data / "faces" / photo)

    glasses = find_glasses(rgb, only_points(rgb))

    assert glasses is not None and glasses.kind == "spectacles"


def test_find_glasses_sees_none_on_the_astronaut(astronaut):
    assert find_glasses(astronaut, only_points(astronaut)) is None


# The bare faces whose eye band looks most like a frame: dark skin with lines below the eyes
# everywhere, deep-set eyes, a hair ornament across the brow.
@pytest.mark.parametrize("photo", ["faces/john_salley/4.jpg", "faces/john_salley/6.jpg", "faces/alex_lacamoire/3.jpg",
                                   "faces/kit_harington/3.jpg", "faces/obama/1.jpg", "faces/mark_zuckerberg/1.jpg",
                                   "templates/facechain_styles/Chinese_Girl_among_Plum_Blossoms.jpg",
                                   "templates/easyphoto/9.jpg", "templates/facechain_styles/Bleak_autumn.jpg"])
def test_find_glasses_sees_none_on_bare_faces(shared_data, photo):
    rgb = read(shared_data / photo)

    assert find_glasses(rgb, only_points(rgb)) is None


def test_find_glasses_tells_sunglasses_from_spectacles(astronaut_with_sunglasses):
    glasses = find_glasses(astronaut_with_sunglasses, only_points(astronaut_with_sunglasses))

    assert glasses is not None and glasses.kind == "sunglasses"


def test_sunglasses_mask_holds_both_lenses_and_the_bridge(astronaut, astronaut_with_sunglasses):
    drawn = np.abs(astronaut_with_sunglasses.astype(int) - astronaut.astype(int)).max(axis=2) > 40

    glasses = find_glasses(astronaut_with_sunglasses, only_points(astronaut_with_sunglasses))

    assert (glasses.mask[drawn] > 0.5).mean() > 0.9


def test_spectacles_mask_holds_the_rims(astronaut):
    drawn_on = draw_glasses(astronaut, only_points(astronaut), kind="spectacles")
    rims = np.abs(drawn_on.astype(int) - astronaut.astype(int)).max(axis=2) > 40

    glasses = find_glasses(drawn_on, only_points(drawn_on))

    # A rim's anti-aliased edge pixel may fall on the mask's feathered edge (a quarter of the
    # template's pixel and more is kept there).
    assert glasses is not None and (glasses.mask[rims] > 0.25).mean() > 0.9


@pytest.mark.parametrize("arms", ["middle", "top"])
def test_spectacles_mask_holds_the_temple_arms(astronaut, arms):
    # Most frames hinge at their upper outer corners; some at the middle of the lens's side.
    points = only_points(astronaut)
    drawn_on = draw_glasses(astronaut, points, kind="spectacles", arms=arms)
    without = draw_glasses(astronaut, points, kind="spectacles", arms="none")
    arm = np.abs(drawn_on.astype(int) - without.astype(int)).max(axis=2) > 40

    glasses = find_glasses(drawn_on, only_points(drawn_on))

    assert glasses is not None and (glasses.mask[arm] > 0.25).mean() > 0.7


# --- the template's occluders stay in front -------------------------------------------------


@pytest.fixture(scope="module")
def hopper_portrait(grace_hopper_jpg, astronaut_avatar):
    return portrait_create(grace_hopper_jpg, [astronaut_avatar])[0]


def test_portrait_names_the_templates_spectacles(hopper_portrait):
    assert "template:spectacles" in hopper_portrait.occluders


def test_portrait_still_wears_the_templates_spectacles(hopper_portrait):
    glasses = find_glasses(hopper_portrait.image, only_points(hopper_portrait.image))

    assert glasses is not None and glasses.kind == "spectacles"


@pytest.fixture(scope="module")
def sunglasses_case(shared_data):
    """Men_suit wearing drawn sunglasses, and a portrait of obama made into it."""
    template = read(shared_data / "templates/facechain_styles/Men_suit.jpg")
    points = only_points(template)
    template = draw_glasses(template, points, kind="sunglasses")
    photos = sorted((shared_data / "faces/obama").iterdir())
    avatar, _ = avatar_build([p.read_bytes() for p in photos])
    return template, points, portrait_create(template, [avatar])[0]


def test_portrait_names_the_templates_sunglasses(sunglasses_case):
    _, _, portrait = sunglasses_case

    assert "template:sunglasses" in portrait.occluders


def test_portrait_keeps_both_sunglass_lenses_whole(sunglasses_case):
    template, points, portrait = sunglasses_case
    lenses = lens_area(points, template.shape)
    grey_template = cv2.cvtColor(template, cv2.COLOR_RGB2GRAY).astype(int)
    # Small templates are enlarged before fusion: compare at the template's size.
    image = cv2.resize(portrait.image, template.shape[1::-1], interpolation=cv2.INTER_AREA)
    grey_portrait = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(int)

    # No eye painted over either lens: each stays as dark as the template's.
    middle = int(points[168, 0])
    for side in (np.s_[:, :middle], np.s_[:, middle:]):
        lens = np.zeros_like(lenses)
        lens[side] = lenses[side]
        assert grey_portrait[lens].mean() < grey_template[lens].mean() + 12


def test_portrait_keeps_the_templates_hand_in_front(shared_data, built_avatar):
    template = read(shared_data / "templates/easyphoto/5.jpg")

    portrait = portrait_create(template, [built_avatar("mark_zuckerberg").avatar])[0]

    assert "template:hand" in portrait.occluders


def test_the_templates_hands_are_looked_for_once_for_every_try(shared_data, built_avatar, monkeypatch):
    """The likeness search fuses the template face twice, each time reshaped differently: its
    hands are found before the reshaping, so MediaPipe looks at the template once."""
    template = read(shared_data / "templates/easyphoto/5.jpg")
    avatar = built_avatar("mark_zuckerberg").avatar
    monkeypatch.setattr(occlusion, "_FRONT_CACHE", type(occlusion._FRONT_CACHE)())
    looked = []
    monkeypatch.setattr(occlusion, "find_hands", lambda rgb: looked.append(rgb.shape) or find_hands(rgb))

    portrait = portrait_create(template, [avatar])[0]

    assert "template:hand" in portrait.occluders
    assert len(looked) == 1


def test_portrait_names_the_templates_fringe(shared_data, built_avatar):
    template = read(shared_data / "templates/easyphoto/9.jpg")

    portrait = portrait_create(template, [built_avatar("mark_zuckerberg").avatar])[0]

    assert "template:hair" in portrait.occluders


# --- the reference's occluders are left out ------------------------------------------------


@pytest.fixture(scope="module")
def spectacled_avatar(shared_data):
    photos = sorted((shared_data / "faces/sundar_pichai").iterdir())
    avatar, _ = avatar_build([p.read_bytes() for p in photos])
    return avatar


def test_reference_spectacles_do_not_reach_the_template(shared_data, spectacled_avatar):
    template = read(shared_data / "templates/facechain_styles/Gentleman.jpg")

    portrait = portrait_create(template, [spectacled_avatar])[0]

    assert "reference:spectacles" in portrait.occluders
    assert find_glasses(portrait.image, only_points(portrait.image)) is None


def test_reference_hair_over_the_face_is_named(shared_data):
    avatar, _ = avatar_build([(shared_data / "faces/kit_harington/2.jpeg").read_bytes()])
    template = read(shared_data / "templates/facechain_styles/Men_suit.jpg")

    portrait = portrait_create(template, [avatar])[0]

    assert "reference:hair" in portrait.occluders


def test_avatar_build_records_a_hand_in_front_of_the_face(shared_data):
    avatar, _ = avatar_build([(shared_data / "faces/lin_manuel_miranda/1.png").read_bytes()])

    assert len(avatar.reference.info["hands"]) >= 1


def test_avatar_build_records_no_hand_where_there_is_none(astronaut_avatar):
    assert astronaut_avatar.reference.info["hands"] == []


def test_avatar_saved_before_hands_were_recorded_still_makes_portraits(tmp_path, astronaut_avatar, grace_hopper_jpg):
    folder = avatar_save(astronaut_avatar, tmp_path / "avatar")
    meta = json.loads((folder / "avatar.json").read_text())
    for entry in meta["faces"]:
        del entry["hands"]
    (folder / "avatar.json").write_text(json.dumps(meta))
    old = avatar_load(folder)
    assert "hands" not in old.reference.info

    portrait = portrait_create(grace_hopper_jpg, [old])[0]

    assert "template:spectacles" in portrait.occluders


# --- a reference's beard -----------------------------------------------------------------------


def _reference(shared_data: Path, photo: str):
    avatar, _ = avatar_build([(shared_data / "faces" / photo).read_bytes()])
    return avatar.reference


def _beard_share_below_the_lip(face) -> float:
    """Of the face below the lower lip, the share occlusion._beard keeps as the person's own."""
    points, eyes = face.points, masks.eye_distance(face.points)
    core = np.zeros(face.crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(core, cv2.convexHull(np.round(points[CHEEKS_AND_NOSE, :2]).astype(np.int32)), 255)
    core[masks.features_mask(points, face.crop.shape, grow=0.15) > 0] = 0
    skin = occlusion.skin_distance(face.crop, points, strict=True)
    beard = _beard(_Busyness.of(skin.lab[:, :, 0], core, eyes * 2.3), points, skin.z[:, :, 0], skin.lab[:, :, 2])
    chin = masks.face_mask(points, face.crop.shape) > 0
    chin[: int(points[17, 1]) + 5] = False  # 17: the lower lip's lowest point
    return float(beard[chin].mean())


def test_reference_beard_is_kept_as_the_persons_own(shared_data):
    assert _beard_share_below_the_lip(_reference(shared_data, "sundar_pichai/1.jpg")) > 0.3


def test_reference_bare_chin_has_no_beard(shared_data):
    assert _beard_share_below_the_lip(_reference(shared_data, "amy_adams/1.jpg")) < 0.1


def test_a_lock_of_hair_below_the_nose_of_a_smooth_chin_is_an_occluder(shared_data):
    """Busy as a beard where it lies, but the chin and upper lip are smooth and even: hair at the rim."""
    face = _reference(shared_data, "marissa_mayer/1.jpg")
    points, eyes = face.points, masks.eye_distance(face.points)
    x, y = 0.15 * points[61, :2] + 0.85 * points[172, :2]  # near the jaw, level with the mouth
    lock = np.array([[x - 0.08 * eyes, y - 0.3 * eyes], [x + 0.06 * eyes, y - 0.3 * eyes],
                     [x + 0.12 * eyes, y + 0.2 * eyes], [x - 0.02 * eyes, y + 0.2 * eyes]], np.int32)
    covered = face.crop.copy()
    cv2.fillPoly(covered, [lock], (52, 36, 24))
    for step in range(-2, 3):  # lighter strands in it: as busy as hair
        top = (int(x + step * 0.03 * eyes), int(y - 0.3 * eyes))
        cv2.line(covered, top, (top[0] + int(0.1 * eyes), int(y + 0.2 * eyes)), (90, 66, 44), 2)
    drawn = np.zeros(covered.shape[:2], np.uint8)
    cv2.fillPoly(drawn, [lock], 255)

    found = occlusion_mask(covered, points, eyes * 2.3, strict=True)

    assert found[drawn > 0].mean() > 0.5


def _hidden_beside_the_right_brow(face) -> float:
    """How much of the margin around the face's right eye and brow (never tested by the colour
    model itself) occlusion_mask hides on the reference ``face``."""
    points = face.points
    margin = (masks.features_mask(points, face.crop.shape, grow=0.15) > 0) & (masks.face_mask(points, face.crop.shape) > 0)
    margin[:, int(points[168, 0]):] = False  # the face's right side: the left of the picture
    found = occlusion_mask(occlusion.reference_crop(face), points, masks.eye_distance(points) * 2.3, strict=True)
    return float(found[margin].mean())


def test_a_strand_across_a_brows_end_is_found_with_the_rest_of_it(shared_data):
    """Rose Leslie's lock over her right temple crosses the brow's end to the eye's corner: found
    above and below the margin and, before, left across it (a grey streak over the new brow)."""
    assert _hidden_beside_the_right_brow(_reference(shared_data, "rose_leslie/1.jpg")) > 0.04


def test_the_margin_around_bare_brows_stays_the_persons_own(shared_data):
    assert _hidden_beside_the_right_brow(_reference(shared_data, "obama/1.jpg")) < 0.01


def test_smooth_patch_on_a_bearded_cheek_is_still_an_occluder(shared_data):
    """Only texture as busy throughout as a beard is kept: the band of detail along a smooth
    occluder's edge (a microphone, a scarf) is not."""
    face = _reference(shared_data, "sundar_pichai/1.jpg")
    points, eyes = face.points, masks.eye_distance(face.points)
    centre = tuple(int(v) for v in (points[61, :2] + points[172, :2]) / 2)  # mouth corner and jaw
    covered = face.crop.copy()
    cv2.circle(covered, centre, int(0.18 * eyes), (20, 20, 20), -1)
    core = np.zeros(covered.shape[:2], np.uint8)
    cv2.circle(core, centre, int(0.12 * eyes), 255, -1)

    found = occlusion_mask(covered, points, eyes * 2.3, strict=True)

    assert found[core > 0].mean() > 0.8


def test_a_microphone_held_to_a_bearded_chin_is_an_occluder(shared_data):
    """A microphone's head is as busy as stubble (its grille, its shine, its edges) but blue-black,
    which no hair is: found, not kept as the beard (Lin-Manuel Miranda's shine on the new chin)."""
    face = _reference(shared_data, "sundar_pichai/1.jpg")
    points, eyes = face.points, masks.eye_distance(face.points)
    x, y = (int(v) for v in points[152, :2])  # the chin
    radius = int(0.3 * eyes)
    covered = face.crop.copy()
    cv2.circle(covered, (x, y), radius, (38, 42, 66), -1)
    for step in range(-radius, radius, max(radius // 6, 3)):  # the grille
        cv2.line(covered, (x + step, y - radius), (x + step, y + radius), (70, 76, 104), 1)
        cv2.line(covered, (x - radius, y + step), (x + radius, y + step), (70, 76, 104), 1)
    cv2.circle(covered, (x - radius // 3, y - radius // 3), max(radius // 6, 2), (236, 238, 244), -1)  # its shine
    head = np.zeros(covered.shape[:2], np.uint8)
    cv2.circle(head, (x, y), radius, 255, -1)
    head[masks.face_mask(points, covered.shape) == 0] = 0

    found = occlusion_mask(covered, points, eyes * 2.3, strict=True)

    assert found[head > 0].mean() > 0.6
