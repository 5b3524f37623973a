"""import_templates: a pack in the documented folder format, built from ../shared/data/templates."""
from __future__ import annotations

import shutil

import pytest
from PIL import Image

from studio.catalog.models import Style, StyleKind, Template

from .conftest import MULTI_PERSON_KEY, run_command, write_style

pytestmark = pytest.mark.django_db

DASHSCOPE_STYLES = [
    "f_idcard_male", "f_business_male", "f_idcard_female", "f_business_female", "m_springflower_female",
    "f_summersport_female", "f_autumnleaf_female", "m_winterchinese_female", "f_hongkongvintage_female",
    "f_lightportray_female",
]


@pytest.fixture
def styles_dir(tmp_path, shared_data):
    """A pack folder and a helper that copies ../shared/data files into one of its style folders."""
    root = tmp_path / "pack"

    def add(key: str, *names: str, **style) -> None:
        folder = write_style(root / key, **{"title": key.title(), **style})
        for name in names:
            shutil.copy(shared_data / name, folder)

    add.root = root
    return add


def catalog_state() -> list[tuple]:
    return sorted(Template.objects.values_list("style__key", "digest", "face_count", "is_active", "image"))


def test_pack_import_activates_all_ten_dashscope_styles(pack, pack_groups):
    output, status = run_command("import_templates", str(pack))

    assert status == 0
    styles = {style.key: style for style in Style.objects.all()}
    assert all(styles[key].is_active for key in DASHSCOPE_STYLES)
    assert styles["f_idcard_male"].kind == StyleKind.IDPHOTO and styles["f_idcard_male"].gender == "male"
    assert styles["f_idcard_female"].parameters == {"size": "1inch", "background": "blue"}
    for key, files in pack_groups.items():
        assert styles[key].templates.filter(is_active=True).count() == len(files), key
    assert output.count(": imported") == sum(len(files) for files in pack_groups.values())


def test_pack_import_stores_each_templates_face_count(pack):
    run_command("import_templates", str(pack))

    assert set(Template.objects.filter(style__key=MULTI_PERSON_KEY).values_list("face_count", flat=True)) == {2}
    assert set(Template.objects.exclude(style__key=MULTI_PERSON_KEY).values_list("face_count", flat=True)) == {1}
    assert not Template.objects.filter(owner__isnull=False).exists()


def test_pack_import_preview_is_the_first_template_at_512px(pack):
    run_command("import_templates", str(pack))

    style = Style.objects.get(key=MULTI_PERSON_KEY)  # 1680 x 1260 templates
    with style.preview.open("rb") as preview:
        assert Image.open(preview).size == (512, 384)
    assert not Style.objects.get(key="f_idcard_male").preview


def test_reimport_skips_every_template(pack):
    run_command("import_templates", str(pack))
    before = catalog_state()
    previews = sorted(Style.objects.values_list("key", "preview"))

    output, status = run_command("import_templates", str(pack))

    assert status == 0
    assert catalog_state() == before
    assert sorted(Style.objects.values_list("key", "preview")) == previews
    lines = output.splitlines()
    assert len(lines) == len(before) and all(line.endswith(": skipped (already there)") for line in lines)


def test_no_face_image_is_rejected_with_its_reason_and_exit_status_1(styles_dir):
    styles_dir("mixed", "no_face/coffee.png", "templates/facechain_styles/Men_suit.jpg")

    output, status = run_command("import_templates", str(styles_dir.root))

    assert status == 1
    assert output.splitlines() == [
        "mixed/Men_suit.jpg: imported",
        "mixed/coffee.png: rejected: No face found; the template must show 1 face.",
    ]
    assert Template.objects.filter(style__key="mixed", is_active=True).count() == 1


def test_two_face_template_is_rejected_where_the_style_expects_one(styles_dir):
    styles_dir("solo", "templates/facechain_inpaint/00_20230125X0028177.jpg")

    output, status = run_command("import_templates", str(styles_dir.root))

    assert status == 1
    assert "rejected: Found 2 faces; the template must show 1 face." in output
    assert not Style.objects.get(key="solo").is_active  # a template style without templates is hidden


def test_replace_deactivates_templates_no_longer_in_the_folder(styles_dir):
    styles_dir("suits", "templates/facechain_styles/Men_suit.jpg", "templates/facechain_styles/Gentleman.jpg")
    run_command("import_templates", str(styles_dir.root))
    (styles_dir.root / "suits" / "Gentleman.jpg").unlink()

    run_command("import_templates", str(styles_dir.root))
    assert Template.objects.filter(style__key="suits", is_active=True).count() == 2
    output, status = run_command("import_templates", str(styles_dir.root), "--replace")

    assert status == 0
    assert list(Template.objects.filter(style__key="suits", is_active=True).values_list("title", flat=True)) == [
        "Men suit"]
    assert "suits/Gentleman: deactivated: no longer in the folder" in output


def test_replace_hides_an_emptied_style_until_its_template_comes_back(styles_dir):
    styles_dir("suits", "templates/facechain_styles/Men_suit.jpg")
    run_command("import_templates", str(styles_dir.root))
    (styles_dir.root / "suits" / "Men_suit.jpg").unlink()

    run_command("import_templates", str(styles_dir.root), "--replace")
    assert not Style.objects.get(key="suits").is_active
    styles_dir("suits", "templates/facechain_styles/Men_suit.jpg")
    output, _ = run_command("import_templates", str(styles_dir.root))

    assert output == "suits/Men_suit.jpg: reactivated\n"
    assert Style.objects.get(key="suits").is_active


def test_templates_listed_in_style_json_are_the_only_ones(styles_dir):
    styles_dir(
        "suits", "templates/facechain_styles/Men_suit.jpg", "templates/facechain_styles/Gentleman.jpg",
        templates={"Men_suit.jpg": {"title": "Navy suit"}, "missing.jpg": {}},
    )

    output, status = run_command("import_templates", str(styles_dir.root))

    assert list(Template.objects.values_list("title", flat=True)) == ["Navy suit"]
    assert "suits/missing.jpg: rejected: listed in style.json but not in the folder" in output
    assert status == 1


def test_preview_jpg_in_the_folder_is_the_preview(styles_dir):
    styles_dir("suits", "templates/facechain_styles/Men_suit.jpg")
    Image.new("RGB", (800, 400), "navy").save(styles_dir.root / "suits" / "preview.jpg")

    run_command("import_templates", str(styles_dir.root))

    assert Template.objects.count() == 1
    with Style.objects.get(key="suits").preview.open("rb") as preview:
        image = Image.open(preview)
        assert image.size == (512, 256) and image.getpixel((10, 10))[2] > 100


def test_bad_style_json_is_rejected_with_its_reason(styles_dir):
    styles_dir("broken", gender="robot")

    output, status = run_command("import_templates", str(styles_dir.root))

    assert status == 1
    assert output == "broken/style.json: rejected: gender must be one of any, female, male, not 'robot'\n"
    assert not Style.objects.filter(key="broken").exists()
