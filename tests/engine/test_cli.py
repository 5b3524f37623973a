"""python -m engine: the command line that benchmarks and outside checks drive, run as they run it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import imaging
from engine.check import SAME_PERSON_THRESHOLD
from engine.identity import avatar_load
from engine.portrait import template_canvas
from tests.diffusion_models import tiny_models_install

REPO = Path(__file__).resolve().parents[2]
NO_FACE_MESSAGE = "There is not face in template. Please Give a new template."


def engine(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def output_of(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def files(tmp_path_factory, astronaut_png, coffee_png, grace_hopper_path, encode_png) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    paths = {"astronaut": folder / "astronaut.png", "coffee": folder / "coffee.png", "notes": folder / "notes.pdf"}
    paths["astronaut"].write_bytes(astronaut_png)
    paths["coffee"].write_bytes(coffee_png)
    paths["notes"].write_bytes(b"%PDF-1.7 this is not a photo")
    paths["hopper"] = grace_hopper_path
    # A second reference face: the astronaut mirrored gives a distinct portrait (face SSIM 0.74).
    paths["mirrored"] = folder / "astronaut_mirrored.png"
    paths["mirrored"].write_bytes(encode_png(np.ascontiguousarray(imaging.decode(astronaut_png).rgb[:, ::-1])))
    return paths


@pytest.fixture(scope="module")
def checked(files) -> dict:
    return output_of(engine("check", files["astronaut"], files["notes"], "--json"))


@pytest.fixture(scope="module")
def trained(files, tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("train") / "avatar"
    # The photo without a face comes first: the reference must still be the astronaut.
    return output_of(engine("train", files["coffee"], files["astronaut"], "--out", out, "--json")), out


@pytest.fixture(scope="module")
def created(files, tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("create") / "portrait.jpg"
    result = engine("create", "--reference", files["astronaut"], "--reference", files["mirrored"],
                    "--template", files["hopper"], "--out", out, "--n", "2", "--json")
    return output_of(result), out


@pytest.fixture(scope="module")
def created_from_one_photo(files, trained, tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("create_one") / "portrait.jpg"
    _, avatar = trained
    result = engine("create", "--avatar", avatar, "--template", files["hopper"], "--out", out, "--n", "2", "--json")
    return output_of(result), out


def test_cli_check_gives_results_and_cost_time(checked):
    assert set(checked) == {"results", "cost_time"}
    assert isinstance(checked["cost_time"], float) and checked["cost_time"] > 0


def test_cli_check_gives_each_photo_path_code_message_frontal_and_reasons(checked, files):
    for result, name in zip(checked["results"], ["astronaut", "notes"], strict=True):
        assert {"path", "code", "message", "frontal", "reasons"} <= set(result)
        assert result["path"] == str(files[name])


def test_cli_check_passes_a_photo_as_code_1(checked):
    astronaut = checked["results"][0]

    assert (astronaut["code"], astronaut["message"], astronaut["frontal"]) == (1, "success", True)


def test_cli_check_marks_a_non_image_as_code_2(checked):
    notes = checked["results"][1]

    assert (notes["code"], notes["message"], notes["frontal"]) == (2, "Image decode error.", False)
    assert notes["reasons"]


def test_cli_train_says_how_many_photos_it_used_and_which_is_the_reference(trained, files):
    result, _ = trained

    assert result["photos_used"] == 1
    assert result["reference"] == str(files["astronaut"])
    assert [r["code"] for r in result["results"]] == [3, 1]


def test_cli_train_writes_an_avatar_that_loads(trained, files):
    _, folder = trained

    avatar = avatar_load(folder)

    assert [face.source for face in avatar.faces] == [str(files["astronaut"])]


def test_cli_create_writes_out_and_out_2_with_n_2(created):
    result, out = created

    assert [o["path"] for o in result["outputs"]] == [str(out), str(out.with_name("portrait_2.jpg"))]
    assert out.is_file() and out.with_name("portrait_2.jpg").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["portrait.jpg", "portrait_2.jpg"]


def test_cli_create_of_a_one_photo_avatar_with_n_2_writes_one_and_says_why(created_from_one_photo):
    result, out = created_from_one_photo

    assert [o["path"] for o in result["outputs"]] == [str(out)]
    assert result["note"] == "1 of 2 made: the avatar has only 1 distinct reference face."


def test_cli_create_lists_outputs_best_first(created):
    distances = [output["identity_distance"] for output in created[0]["outputs"]]

    assert distances == sorted(distances)
    assert all(0 < d < SAME_PERSON_THRESHOLD for d in distances)


def test_cli_create_writes_jpegs_of_the_templates_shape_at_1024_px(created, files):
    template = template_canvas(imaging.read(files["hopper"]).rgb)

    for output in created[0]["outputs"]:
        image = imaging.read(output["path"])
        assert image.format == "JPEG" and image.rgb.shape == template.shape


def test_cli_create_writes_the_portrait_not_the_template(created, files):
    template = template_canvas(imaging.read(files["hopper"]).rgb)
    portrait = imaging.read(created[0]["outputs"][0]["path"]).rgb

    assert np.abs(portrait.astype(int) - template.astype(int)).max() > 50


def test_cli_create_gives_cost_time(created):
    assert isinstance(created[0]["cost_time"], float) and created[0]["cost_time"] > 0


@pytest.fixture(scope="module")
def no_face_run(files, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("refused") / "out" / "portrait.jpg"
    result = engine("create", "--reference", files["astronaut"], "--template", files["coffee"], "--out", out, "--json")
    return result, out


def test_cli_create_with_a_template_without_face_exits_2(no_face_run):
    assert no_face_run[0].returncode == 2


def test_cli_create_with_a_template_without_face_says_why_in_one_error_line(no_face_run):
    result, _ = no_face_run

    assert result.stderr == f"error: {NO_FACE_MESSAGE}\n"
    assert result.stdout == ""


def test_cli_create_with_a_template_without_face_writes_nothing(no_face_run):
    _, out = no_face_run

    assert not out.exists() and not out.parent.exists()


def test_cli_create_with_n_out_of_range_says_why_in_one_error_line(files, tmp_path):
    out = tmp_path / "portrait.jpg"

    result = engine(
        "create", "--reference", files["astronaut"], "--template", files["hopper"], "--out", out, "--n", "9"
    )

    assert result.returncode == 2 and not out.exists()
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1


def test_cli_idphoto_gives_path_size_and_dpi(files, tmp_path):
    out = tmp_path / "id.jpg"

    result = output_of(engine("idphoto", files["astronaut"], "--size", "passport", "--background", "blue",
                              "--out", out, "--draft", "--json"))

    assert (result["path"], result["width"], result["height"], result["dpi"]) == (str(out), 413, 531, 300)
    assert out.is_file() and result["cost_time"] > 0


def test_cli_idphoto_of_a_photo_without_face_exits_2_with_a_reason(files, tmp_path):
    result = engine("idphoto", files["coffee"], "--out", tmp_path / "id.jpg", "--json")

    assert result.returncode == 2 and result.stderr.startswith("error: ")
    assert not (tmp_path / "id.jpg").exists()


def test_cli_styles_lists_presets_with_index_key_and_title():
    styles = output_of(engine("styles", "--json"))

    assert len(styles) >= 8
    assert all(set(style) == {"index", "key", "title"} for style in styles)
    assert [style["index"] for style in styles] == list(range(len(styles)))


def test_cli_stylize_gives_path_size_and_identity_distance(files, tmp_path):
    out = tmp_path / "styled.jpg"

    result = output_of(engine("stylize", files["astronaut"], "--style", "5", "--out", out, "--json"))

    assert min(result["width"], result["height"]) == 1536
    assert result["identity_distance"] is not None and out.is_file()


def test_create_with_the_diffusion_backend_and_no_weights_names_the_fetch_command(tmp_path, monkeypatch, shared_data):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed")
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))  # the child process inherits it

    done = engine("create", "--backend", "diffusion", "--reference", shared_data / "faces" / "obama" / "1.jpg",
                  "--template", shared_data / "templates" / "easyphoto" / "1.jpg", "--out", tmp_path / "out.jpg")

    assert done.returncode == 2 and "models fetch" in done.stderr


def test_an_option_the_classic_backend_lacks_names_the_diffusion_backend(tmp_path, shared_data):
    done = engine("create", "--backend", "classic", "--option", "lcm_accelerate=true",
                  "--reference", shared_data / "faces" / "obama" / "1.jpg",
                  "--template", shared_data / "templates" / "easyphoto" / "1.jpg", "--out", tmp_path / "out.jpg")

    assert done.returncode == 2 and "diffusion" in done.stderr


def test_train_with_the_diffusion_backend_and_no_weights_names_the_fetch_command(tmp_path, monkeypatch, shared_data):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed")
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))

    done = engine("train", shared_data / "faces" / "obama" / "1.jpg", "--out", tmp_path / "avatar",
                  "--backend", "diffusion", "--steps", "2")

    assert done.returncode == 2 and "python manage.py models fetch sd15" in done.stderr
    assert not (tmp_path / "avatar").exists()


def test_train_xl_without_sdxl_weights_names_the_fetch_command(tmp_path, monkeypatch, shared_data):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed")
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))

    done = engine("train", shared_data / "faces" / "obama" / "1.jpg", "--out", tmp_path / "avatar",
                  "--backend", "diffusion", "--xl")

    assert done.returncode == 2 and "python manage.py models fetch sdxl" in done.stderr
    assert not (tmp_path / "avatar").exists()


def test_train_resolution_off_the_vae_grid_is_refused(tmp_path, shared_data):
    done = engine("train", shared_data / "faces" / "obama" / "1.jpg", "--out", tmp_path / "avatar",
                  "--backend", "diffusion", "--resolution", "500")

    assert done.returncode == 2 and "--resolution must be a multiple of 8" in done.stderr


def test_lora_options_on_the_classic_backend_name_the_diffusion_backend(tmp_path, shared_data):
    done = engine("train", shared_data / "faces" / "obama" / "1.jpg", "--out", tmp_path / "avatar",
                  "--backend", "classic", "--resolution", "512")

    assert done.returncode == 2 and "--backend diffusion" in done.stderr
    assert not (tmp_path / "avatar").exists()


def test_studio_engine_chooses_the_backend_when_none_is_given(tmp_path, monkeypatch, shared_data):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed")
    monkeypatch.setenv("STUDIO_ENGINE", "diffusion")
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "no-models"))

    done = engine("create", "--reference", shared_data / "faces" / "obama" / "1.jpg",
                  "--template", shared_data / "templates" / "easyphoto" / "1.jpg", "--out", tmp_path / "out.jpg")

    assert done.returncode == 2 and "models fetch" in done.stderr


@pytest.fixture
def tiny_models_installed(tmp_path, monkeypatch) -> Path:
    return tiny_models_install(tmp_path, monkeypatch)


@pytest.mark.slow
def test_diffusion_backend_trains_and_creates_from_the_command_line(tiny_models_installed, tmp_path, shared_data,
                                                                     capsys):
    # In this process: the pinned test manifest is patched in here, where a child process would not see it.
    from engine.__main__ import main

    photos = [str(shared_data / "faces" / "obama" / f"{n}.jpg") for n in (1, 2)]
    avatar, out = tmp_path / "avatar", tmp_path / "portrait.jpg"

    trained = main(["train", *photos, "--out", str(avatar), "--backend", "diffusion", "--steps", "2",
                    "--resolution", "64", "--json"])
    train_result = json.loads(capsys.readouterr().out)
    created = main(["create", "--avatar", str(avatar), "--template", str(shared_data / "templates" / "easyphoto" / "1.jpg"),
                    "--out", str(out), "--backend", "diffusion", "--option", "first_diffusion_steps=2",
                    "--option", "second_diffusion_steps=2", "--json"])
    create_result = json.loads(capsys.readouterr().out)

    assert trained == 0 and train_result["backend"] == "diffusion"
    assert (avatar / "lora" / "avatar.safetensors").is_file()
    assert created == 0 and create_result["backend"] == "diffusion"
    assert imaging.decode(out.read_bytes()).rgb.shape[2] == 3
