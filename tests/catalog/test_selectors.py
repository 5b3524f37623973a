"""Catalog reads: active styles in order, and templates that only their owner (or everyone, for
the catalog's) can see."""
from __future__ import annotations

import pytest

from studio.catalog.models import Gender, Style, StyleKind, Template
from studio.catalog.selectors import style_get, style_list, style_templates_first, template_get_for, template_list_for
from studio.catalog.services import catalog_template_add, style_activity_update, template_upload

from .conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]


@pytest.fixture
def catalog(astronaut_png):
    """One catalog template style with the astronaut, a hidden style, and two ID-photo styles."""
    demo = Style.objects.create(key="demo", title="Demo", gender=Gender.FEMALE, position=1)
    catalog_template_add(style=demo, content=astronaut_png, title="Astronaut")
    style_activity_update(style=demo)
    Style.objects.create(key="hidden", title="Hidden", is_active=False)
    Style.objects.create(key="id_man", title="ID (man)", kind=StyleKind.IDPHOTO, gender=Gender.MALE, position=3)
    Style.objects.create(key="id_any", title="ID", kind=StyleKind.IDPHOTO, position=2)
    return demo


def test_style_list_is_active_styles_in_catalog_order(catalog):
    assert [style.key for style in style_list()] == ["demo", "id_any", "id_man"]
    assert [style.key for style in style_list(kind=StyleKind.IDPHOTO, gender=Gender.FEMALE)] == ["id_any"]
    assert style_get(key="hidden") is None and style_get(key="demo") == catalog


def test_template_list_for_never_shows_another_owners_private_templates(catalog, astronaut_png):
    ana, bob = make_user("ana@example.com"), make_user("bob@example.com")
    private = template_upload(owner=ana, content=astronaut_png, title="Ana's")

    assert [t.title for t in template_list_for(owner=ana)] == ["Astronaut", "Ana's"]
    assert [t.title for t in template_list_for(owner=bob)] == ["Astronaut"]
    assert template_get_for(owner=bob, template_id=private.id) is None
    assert template_get_for(owner=ana, template_id=str(private.id)) == private


def test_template_list_for_a_style_is_its_catalog_templates(catalog, astronaut_png):
    ana = make_user("ana@example.com")
    template_upload(owner=ana, content=astronaut_png)

    assert [t.title for t in template_list_for(owner=ana, style=catalog)] == ["Astronaut"]


def test_templates_of_a_hidden_style_are_not_listed(catalog):
    catalog.is_active = False
    catalog.save()

    assert not template_list_for(owner=make_user("ana@example.com")).exists()


def test_a_styles_first_templates_are_those_template_list_for_gives(catalog, astronaut_png):
    """style_templates_first (compiled once, for every create by style) reads what
    template_list_for lists for the style, in its order, whoever asks."""
    ana = make_user("ana@example.com")
    template_upload(owner=ana, content=astronaut_png)
    catalog_template_add(style=catalog, content=astronaut_png, title="Second")
    catalog_template_add(style=catalog, content=astronaut_png, title="Off")
    Template.objects.filter(title="Off").update(is_active=False)

    for n in (1, 2, 3):
        assert style_templates_first(style=catalog, n=n) == list(template_list_for(owner=ana, style=catalog)[:n])
