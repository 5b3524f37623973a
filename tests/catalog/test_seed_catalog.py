"""seed_catalog on an empty catalog: what a fresh machine shows with no download and no
../shared/data (previews and the demo templates come from scikit-image and matplotlib)."""
from __future__ import annotations

import pytest
from django.db import transaction
from PIL import Image

from engine.options import preset_list
from studio.catalog.models import Style, StyleKind, Template

from .conftest import run_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

ID_PHOTO_STYLES = ["f_idcard_male", "f_idcard_female", "idphoto_1inch", "idphoto_2inch", "idphoto_passport", "idphoto_us"]


def catalog_snapshot() -> tuple[list, list]:
    styles = list(Style.objects.order_by("key").values_list(
        "key", "title", "kind", "gender", "parameters", "preview", "is_active", "position"))
    templates = list(Template.objects.order_by("id").values_list("style__key", "digest", "image", "is_active"))
    return styles, templates


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seeding for the module (its stylize previews take seconds), rolled back at the end;
    each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        Style.objects.all().delete()  # migrate's rows too: seed_catalog makes them where they are missing
        output, status = run_command("seed_catalog")
        assert status == 0, output
        yield output
        transaction.set_rollback(True)


def test_seed_catalog_creates_the_id_photo_styles_with_previews():
    styles = {style.key: style for style in Style.objects.filter(kind=StyleKind.IDPHOTO, is_active=True)}
    assert sorted(styles) == sorted(ID_PHOTO_STYLES)
    assert styles["f_idcard_female"].parameters == {"size": "1inch", "background": "blue"}
    assert styles["idphoto_us"].parameters == {"size": "us", "background": "white"}
    with styles["idphoto_us"].preview.open("rb") as preview:
        assert Image.open(preview).size == (512, 512)  # the 600 x 600 ID photo, downscaled
    # The only sample photo is a woman's: the men's style shows its background and a silhouette.
    with styles["f_idcard_male"].preview.open("rb") as preview:
        assert Image.open(preview).size == (410, 512)  # 512 x 640, at the previews' 512 px


def test_seed_catalog_creates_a_stylize_style_per_preset():
    styles = Style.objects.filter(kind=StyleKind.STYLIZE, is_active=True)
    assert {(style.key, style.parameters["style_index"]) for style in styles} == {
        (f"stylize_{preset['key']}", preset["index"]) for preset in preset_list()}
    assert all(style.preview for style in styles)


def test_seed_catalog_makes_the_demo_style_from_installed_photos():
    demo = Style.objects.get(key="studio_demo")
    assert demo.is_active and demo.kind == StyleKind.TEMPLATE and demo.preview
    templates = demo.templates.filter(is_active=True, owner=None)
    assert [(t.title, t.face_count, t.width) for t in templates] == [
        ("Eileen Collins (NASA)", 1, 512), ("Grace Hopper (US Navy)", 1, 512)]


def test_seed_catalog_shows_dashscope_template_styles_through_their_stand_ins():
    presets = Style.objects.filter(kind=StyleKind.TEMPLATE, fallback__isnull=False, is_active=True)
    assert presets.count() == 8 and not Template.objects.filter(style__in=presets).exists()
    assert Style.objects.get(key="f_business_male").gender == "male"


def test_seed_catalog_gives_every_shown_style_a_preview():
    assert not Style.objects.filter(is_active=True, preview="").exists()


def test_seed_catalog_makes_headshot_previews_at_4_by_5():
    with Style.objects.get(key="headshot_office").preview.open("rb") as preview:
        width, height = Image.open(preview).size
    assert height == 512 and abs(width - 512 * 4 / 5) < 1


def test_seed_catalog_starts_from_an_empty_catalog(seeded):
    assert "exists" not in seeded and seeded.count(": imported") == 2


def test_seed_catalog_twice_changes_nothing():
    before = catalog_snapshot()

    output, status = run_command("seed_catalog")

    assert status == 0
    assert catalog_snapshot() == before
    assert "created" not in output and output.count("skipped (already there)") == 2
