"""engine.identity: avatars built from photos, their artifact on disk, and its validation."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from engine import imaging
from engine.errors import EngineError, ErrorCode
from engine.identity import Avatar, avatar_build, avatar_delete, avatar_load, avatar_save

PEOPLE = ["john_simm", "john_salley", "obama"]  # 11, 11 and 4 photos


@pytest.fixture(scope="module")
def saved_astronaut(astronaut_avatar, tmp_path_factory) -> Path:
    """The astronaut's avatar saved once; tests that damage it work on a copy."""
    return avatar_save(astronaut_avatar, tmp_path_factory.mktemp("saved") / "astronaut")


@pytest.fixture
def copy_of_saved(saved_astronaut, tmp_path) -> Path:
    return Path(shutil.copytree(saved_astronaut, tmp_path / "avatar"))


def rewrite_metadata(folder: Path, change) -> None:
    meta = json.loads((folder / "avatar.json").read_text())
    change(meta)
    (folder / "avatar.json").write_text(json.dumps(meta))


def resign(folder: Path, name: str) -> None:
    """Record ``name``'s new checksum, as someone who edits an artifact by hand would."""
    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    rewrite_metadata(folder, lambda meta: meta["files"].__setitem__(name, digest))


def load_error(folder: Path) -> EngineError:
    with pytest.raises(EngineError) as caught:
        avatar_load(folder)
    return caught.value


# --- building ----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", PEOPLE)
def test_avatar_uses_every_photo_of_one_person(built_avatar, person):
    built = built_avatar(person)

    assert [check.code for check in built.checks] == [1] * len(built.names)
    assert built.avatar.meta["photos_used"] == len(built.avatar.faces) == len(built.names)


@pytest.mark.parametrize("person", PEOPLE)
def test_avatar_reference_is_its_best_scored_face(built_avatar, person):
    faces = built_avatar(person).avatar.faces
    scores = [face.score for face in faces]

    assert faces[0].score == max(scores) > 0
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("person", PEOPLE)
def test_avatar_reference_is_a_frontal_photo(built_avatar, person):
    assert built_avatar(person).avatar.reference.info["frontal"] is True


def test_avatar_of_four_photos_is_marked_few_photos(built_avatar):
    assert built_avatar("obama").avatar.meta["few_photos"] is True


def test_avatar_of_eleven_photos_is_not_marked_few_photos(built_avatar):
    assert built_avatar("john_simm").avatar.meta["few_photos"] is False


def test_avatar_build_reports_increasing_progress_ending_near_1(built_avatar):
    progress = built_avatar("john_simm").progress

    assert len(progress) >= 11  # at least once a photo
    assert all(later > earlier for earlier, later in zip(progress, progress[1:]))
    assert 0 < progress[0] and 0.95 <= progress[-1] <= 1.0


def test_avatar_leaves_out_a_photo_of_another_person_as_code_6(shared_data):
    simm = [shared_data / "faces" / "john_simm" / f"{n}.jpg" for n in range(1, 7)]
    stranger = shared_data / "faces" / "john_salley" / "1.jpg"
    names = [f"simm {n}" for n in range(1, 7)] + ["salley 1"]

    avatar, checks = avatar_build([p.read_bytes() for p in [*simm, stranger]], names=names)

    assert [check.code for check in checks] == [1] * 6 + [6]
    assert avatar.meta["photos_used"] == 6
    assert "salley 1" not in [face.source for face in avatar.faces]


def test_avatar_build_refuses_when_no_photo_is_usable(coffee_png):
    with pytest.raises(EngineError) as caught:
        avatar_build([coffee_png, b"not an image"])

    assert (caught.value.code, caught.value.message) == (ErrorCode.NO_USABLE_PHOTO, "all images are invalid")


def test_avatar_build_refuses_an_empty_list():
    with pytest.raises(EngineError) as caught:
        avatar_build([])

    assert caught.value.code == ErrorCode.TOO_FEW_PHOTOS


def test_avatar_build_refuses_more_than_20_photos(astronaut_png):
    with pytest.raises(EngineError) as caught:
        avatar_build([astronaut_png] * 21)

    assert caught.value.code == ErrorCode.TOO_MANY_PHOTOS


def test_avatar_of_one_photo_is_marked_few_photos(astronaut_avatar):
    # The avatar is shared by the session's tests; a portrait made earlier may have added its traits.
    counts = {key: astronaut_avatar.meta.get(key) for key in ("photos_given", "photos_used", "few_photos")}
    assert counts == {"photos_given": 1, "photos_used": 1, "few_photos": True}


# --- the artifact ------------------------------------------------------------------------------


def test_avatar_save_writes_every_file_of_the_layout(saved_astronaut):
    files = sorted(str(p.relative_to(saved_astronaut)) for p in saved_astronaut.rglob("*") if p.is_file())

    assert files == [
        "avatar.json", "embeddings.npy", "faces/00.jpg", "landmarks.npy",
        "masks/face.png", "masks/skin.png", "reference.png",
    ]


def test_avatar_save_writes_one_crop_per_face(built_avatar, tmp_path):
    avatar = built_avatar("john_simm").avatar

    folder = avatar_save(avatar, tmp_path / "simm")

    assert sorted(p.name for p in (folder / "faces").iterdir()) == [f"{i:02d}.jpg" for i in range(11)]


def test_avatar_reference_png_holds_the_reference_crop_losslessly(astronaut_avatar, saved_astronaut):
    stored = imaging.read(saved_astronaut / "reference.png").rgb

    assert np.array_equal(stored, astronaut_avatar.reference.crop)


def test_avatar_load_round_trip_keeps_embeddings_points_and_order(built_avatar, tmp_path):
    avatar = built_avatar("john_simm").avatar

    loaded = avatar_load(avatar_save(avatar, tmp_path / "simm"))

    assert [f.source for f in loaded.faces] == [f.source for f in avatar.faces]
    assert np.array_equal(np.stack([f.embedding for f in loaded.faces]), np.stack([f.embedding for f in avatar.faces]))
    assert np.array_equal(np.stack([f.points for f in loaded.faces]), np.stack([f.points for f in avatar.faces]))
    assert [f.score for f in loaded.faces] == [f.score for f in avatar.faces]


def test_avatar_load_round_trip_keeps_the_mean_embedding(built_avatar, tmp_path):
    avatar = built_avatar("john_simm").avatar

    loaded = avatar_load(avatar_save(avatar, tmp_path / "simm"))

    # avatar.json stores it with 6 decimals
    assert np.allclose(loaded.mean_embedding, avatar.mean_embedding, atol=1e-6, rtol=0)


def test_avatar_load_round_trip_keeps_crops_within_jpeg_loss(astronaut_avatar, saved_astronaut):
    loaded = avatar_load(saved_astronaut)
    difference = np.abs(loaded.reference.crop.astype(int) - astronaut_avatar.reference.crop.astype(int))

    assert loaded.reference.crop.shape == astronaut_avatar.reference.crop.shape
    assert difference.mean() < 2


def test_avatar_save_refuses_a_non_empty_folder_and_leaves_it_alone(astronaut_avatar, tmp_path):
    target = tmp_path / "photos"
    target.mkdir()
    (target / "holiday.jpg").write_bytes(b"my photo")

    with pytest.raises(EngineError):
        avatar_save(astronaut_avatar, target)

    assert [p.name for p in target.iterdir()] == ["holiday.jpg"]
    assert (target / "holiday.jpg").read_bytes() == b"my photo"
    assert [p.name for p in tmp_path.iterdir()] == ["photos"]  # no staging folder left behind


def test_avatar_save_into_an_existing_empty_folder_succeeds(astronaut_avatar, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()

    avatar_save(astronaut_avatar, target)

    assert avatar_load(target).meta["photos_used"] == 1


def test_avatar_save_that_fails_midway_leaves_nothing_behind(tmp_path):
    # An avatar without faces cannot be written (there is no reference): the save fails after
    # it has started writing into its staging folder.
    broken = Avatar(faces=[], mean_embedding=np.zeros(128, np.float32))

    with pytest.raises(Exception):
        avatar_save(broken, tmp_path / "broken")

    assert list(tmp_path.iterdir()) == []


# --- corruption --------------------------------------------------------------------------------


def test_avatar_load_refuses_tampered_crop(copy_of_saved):
    crop = copy_of_saved / "faces" / "00.jpg"
    data = bytearray(crop.read_bytes())
    data[len(data) // 2] ^= 0xFF
    crop.write_bytes(bytes(data))

    error = load_error(copy_of_saved)

    assert error.code == ErrorCode.AVATAR_INVALID
    assert "faces/00.jpg" in error.message


def test_avatar_load_refuses_truncated_landmarks(copy_of_saved):
    landmarks = copy_of_saved / "landmarks.npy"
    landmarks.write_bytes(landmarks.read_bytes()[:1000])

    error = load_error(copy_of_saved)

    assert error.code == ErrorCode.AVATAR_INVALID
    assert "landmarks.npy" in error.message


def test_avatar_load_refuses_truncated_landmarks_even_with_matching_checksum(copy_of_saved):
    landmarks = copy_of_saved / "landmarks.npy"
    landmarks.write_bytes(landmarks.read_bytes()[:1000])
    resign(copy_of_saved, "landmarks.npy")

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_landmarks_of_the_wrong_shape(copy_of_saved):
    np.save(copy_of_saved / "landmarks.npy", np.zeros((1, 68, 2), np.float32))
    resign(copy_of_saved, "landmarks.npy")

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_pickled_arrays(copy_of_saved):
    np.save(copy_of_saved / "embeddings.npy", np.array([{"payload": 1}], dtype=object), allow_pickle=True)
    resign(copy_of_saved, "embeddings.npy")

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_a_foreign_avatar_json(copy_of_saved):
    (copy_of_saved / "avatar.json").write_text(json.dumps({"format": "easyphoto-user-id", "version": 1}))

    error = load_error(copy_of_saved)

    assert error.code == ErrorCode.AVATAR_INVALID
    assert "portrait-studio-avatar" in error.message


def test_avatar_load_refuses_avatar_json_that_is_not_json(copy_of_saved):
    (copy_of_saved / "avatar.json").write_bytes(b"\x89PNG\r\n\x1a\n not metadata")

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_a_newer_format_version(copy_of_saved):
    rewrite_metadata(copy_of_saved, lambda meta: meta.__setitem__("version", 2))

    error = load_error(copy_of_saved)

    assert error.code == ErrorCode.AVATAR_INVALID
    assert "version 2" in error.message


def test_avatar_load_refuses_a_missing_file(copy_of_saved):
    (copy_of_saved / "embeddings.npy").unlink()

    error = load_error(copy_of_saved)

    assert error.code == ErrorCode.AVATAR_INVALID
    assert "embeddings.npy" in error.message


def test_avatar_load_refuses_a_file_list_that_escapes_the_folder(copy_of_saved):
    rewrite_metadata(copy_of_saved, lambda meta: meta["files"].__setitem__("../outside.txt", "0" * 64))

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_of_a_folder_without_avatar_json_is_not_found(tmp_path):
    (tmp_path / "notes.txt").write_text("not an avatar")

    assert load_error(tmp_path).code == ErrorCode.AVATAR_NOT_FOUND


def test_avatar_load_of_a_missing_folder_is_not_found(tmp_path):
    assert load_error(tmp_path / "nowhere").code == ErrorCode.AVATAR_NOT_FOUND


def test_avatar_load_refuses_an_undecodable_crop_with_matching_checksum(copy_of_saved):
    (copy_of_saved / "faces" / "00.jpg").write_bytes(b"not a jpeg")
    resign(copy_of_saved, "faces/00.jpg")

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_a_crop_of_the_wrong_size(copy_of_saved):
    imaging.write(copy_of_saved / "faces" / "00.jpg", np.full((100, 100, 3), 128, np.uint8))
    resign(copy_of_saved, "faces/00.jpg")

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_a_mean_embedding_of_the_wrong_length(copy_of_saved):
    rewrite_metadata(copy_of_saved, lambda meta: meta.__setitem__("mean_embedding", meta["mean_embedding"][:10]))

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


def test_avatar_load_refuses_metadata_without_mean_embedding(copy_of_saved):
    rewrite_metadata(copy_of_saved, lambda meta: meta.pop("mean_embedding"))

    assert load_error(copy_of_saved).code == ErrorCode.AVATAR_INVALID


# --- deleting ----------------------------------------------------------------------------------


def test_avatar_delete_removes_a_real_avatar(copy_of_saved):
    avatar_delete(copy_of_saved)

    assert not copy_of_saved.exists()


def test_avatar_delete_removes_a_corrupted_avatar(copy_of_saved):
    (copy_of_saved / "landmarks.npy").write_bytes(b"broken")

    avatar_delete(copy_of_saved)

    assert not copy_of_saved.exists()


def test_avatar_delete_refuses_a_folder_that_is_not_an_avatar(tmp_path):
    (tmp_path / "thesis.tex").write_text("four years of work")

    with pytest.raises(EngineError) as caught:
        avatar_delete(tmp_path)

    assert caught.value.code == ErrorCode.AVATAR_NOT_FOUND
    assert (tmp_path / "thesis.tex").read_text() == "four years of work"


def test_avatar_delete_refuses_a_folder_with_a_foreign_avatar_json(tmp_path):
    (tmp_path / "avatar.json").write_text(json.dumps({"name": "someone else's"}))
    (tmp_path / "data.bin").write_bytes(b"keep")

    with pytest.raises(EngineError) as caught:
        avatar_delete(tmp_path)

    assert caught.value.code == ErrorCode.AVATAR_INVALID
    assert (tmp_path / "data.bin").read_bytes() == b"keep"
