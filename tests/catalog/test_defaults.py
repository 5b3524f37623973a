"""The default catalog that ``migrate`` alone makes (catalog 0003, studio.catalog.defaults): every
DashScope preset answers on a fresh install, template presets through their headshot stand-in."""
from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from studio.catalog.defaults import CATALOG_DEFAULTS, DASHSCOPE_PRESET_KEYS, catalog_defaults_ensure
from studio.catalog.models import Style, StyleKind
from studio.catalog.selectors import style_get, style_list, style_stand_in
from studio.catalog.services import catalog_template_add, style_activity_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("migrated_catalog")]


@pytest.fixture
def migrated_catalog(db) -> None:
    """The catalog as the data migration makes it, run with its historical models on an empty
    table (whatever a transactional test before this one flushed). tests/e2e/test_fresh_install.py
    runs `manage.py migrate` itself on a new database."""
    Style.objects.all().delete()
    migration = importlib.import_module("studio.catalog.migrations.0003_catalog_defaults")
    state = MigrationLoader(connection).project_state(("catalog", "0003_catalog_defaults"))
    migration.defaults_ensure(state.apps, None)

DASHSCOPE_PRESETS = ["f_business_male", "f_business_female", "m_springflower_female", "f_summersport_female",
                     "f_autumnleaf_female", "m_winterchinese_female", "f_hongkongvintage_female",
                     "f_lightportray_female", "f_idcard_male", "f_idcard_female"]


def test_migrate_makes_every_dashscope_preset_shown():
    assert sorted(DASHSCOPE_PRESET_KEYS) == sorted(DASHSCOPE_PRESETS)
    assert all(style_get(key=key) is not None for key in DASHSCOPE_PRESETS)


def test_migrate_gives_each_template_preset_a_headshot_stand_in():
    presets = Style.objects.filter(key__in=DASHSCOPE_PRESETS, kind=StyleKind.TEMPLATE).select_related("fallback")

    assert presets.count() == 8
    assert all(preset.fallback is not None and preset.fallback.kind == StyleKind.HEADSHOT for preset in presets)
    assert Style.objects.get(key="f_business_male").fallback.key == "headshot_office"


def test_migrate_makes_the_default_styles_of_every_kind():
    kinds = set(Style.objects.values_list("kind", flat=True))

    assert kinds == {StyleKind.TEMPLATE, StyleKind.IDPHOTO, StyleKind.STYLIZE, StyleKind.HEADSHOT}
    assert Style.objects.count() == len(CATALOG_DEFAULTS)


def test_headshot_styles_show_for_men_and_women():
    for gender in ("male", "female"):
        keys = {style.key for style in style_list(gender=gender, kind=StyleKind.HEADSHOT)}
        assert {"headshot_studio_grey", "headshot_office", "headshot_brand"} <= keys


def test_seasonal_stand_ins_are_not_listed_themselves():
    listed = {style.key for style in style_list()}

    assert "headshot_spring" not in listed and "m_springflower_female" in listed


def test_defaults_again_change_nothing():
    before = list(Style.objects.order_by("key").values())

    outcomes = catalog_defaults_ensure(Style)

    assert {outcome for _, outcome in outcomes} == {"exists"}
    assert list(Style.objects.order_by("key").values()) == before


def test_defaults_keep_an_admins_edit():
    Style.objects.filter(key="headshot_office").update(title="Our office")

    catalog_defaults_ensure(Style)

    assert Style.objects.get(key="headshot_office").title == "Our office"


def test_defaults_give_an_older_installs_hidden_preset_its_stand_in():
    # seed_catalog used to make the template presets hidden and without a fallback.
    Style.objects.filter(key="f_business_male").update(fallback=None, is_active=False)

    catalog_defaults_ensure(Style)

    preset = Style.objects.get(key="f_business_male")
    assert preset.is_active and preset.fallback.key == "headshot_office"


def test_a_preset_with_a_template_makes_its_own(astronaut_png):
    preset = Style.objects.get(key="f_business_female")
    assert catalog_template_add(style=preset, content=astronaut_png).outcome == "imported"

    assert style_stand_in(style=preset) is None
    assert style_stand_in(style=Style.objects.get(key="f_business_male")).key == "headshot_office"


def test_a_preset_stays_shown_when_its_pack_templates_go():
    preset = Style.objects.get(key="f_autumnleaf_female")

    style_activity_update(style=preset)

    assert Style.objects.get(key="f_autumnleaf_female").is_active
