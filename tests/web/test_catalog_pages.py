"""The styles catalog as a visitor and a customer see it: a preview on every card (made on first
view where ``migrate`` alone made the catalog), the price, the gender filter, and a style's page
with its templates before any avatar; a template preset without templates made by its stand-in."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from billing.models import Operation, Price
from jobs.models import Job
from studio.catalog.models import Gender, Style, StyleKind, Template
from studio.lib.engine import engine_backend
from tests.diffusion_models import tiny_models_install

from .conftest import ASTRONAUT, logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]


@pytest.fixture
def grey() -> Style:
    return Style.objects.create(key="headshot_studio_grey", title="Studio headshot, grey", kind=StyleKind.HEADSHOT,
                                parameters={"backdrop": "studio_grey", "aspect": "4:5"})


@pytest.fixture
def business(grey) -> Style:
    return Style.objects.create(key="f_business_male", title="Business (man)", gender=Gender.MALE, fallback=grey)


@pytest.fixture
def suits() -> Style:
    style = Style.objects.create(key="suits", title="Suits", gender=Gender.FEMALE)
    template = Template(style=style, title="Navy suit")
    template.image.save("t.jpg", ContentFile(ASTRONAUT), save=True)
    return style


def test_catalog_shows_each_styles_price_per_image(grey, suits):
    Price.objects.update_or_create(operation=Operation.CREATE_SOLO, defaults={"points": 12})

    html = Client().get("/styles/").content.decode()

    assert html.count("12 points per image") == 2


def test_a_style_without_a_preview_links_to_one_made_on_first_view(grey):
    html = Client().get("/styles/").content.decode()

    assert 'src="/styles/headshot_studio_grey/preview.jpg"' in html


def test_the_preview_is_made_once_and_then_served_from_storage(grey):
    first = Client().get("/styles/headshot_studio_grey/preview.jpg")

    grey.refresh_from_db()
    assert first.status_code == 302 and grey.preview
    name = grey.preview.name
    Client().get("/styles/headshot_studio_grey/preview.jpg")
    grey.refresh_from_db()
    assert grey.preview.name == name


def test_a_mens_style_previews_its_backdrop_with_a_silhouette(business):
    assert Client().get("/styles/f_business_male/preview.jpg").status_code == 302

    business.refresh_from_db()
    assert business.preview


def test_a_hidden_styles_preview_is_not_found():
    Style.objects.create(key="hidden", title="Hidden", kind=StyleKind.HEADSHOT, is_active=False,
                         parameters={"backdrop": "studio_grey"})

    assert Client().get("/styles/hidden/preview.jpg").status_code == 404


def test_men_see_styles_for_anyone_and_for_men(grey, business, suits):
    html = Client().get("/styles/?gender=male").content.decode()

    assert "Studio headshot, grey" in html and "Business (man)" in html and "Suits" not in html


def test_a_visitor_sees_a_styles_templates_and_price_before_signing_up(suits):
    html = Client().get("/styles/suits/").content.decode()

    assert "Navy suit" in html and "points per image" in html and "Sign up" in html


def test_a_customer_without_an_avatar_still_sees_the_templates(suits, django_user_model):
    user = django_user_model.objects.create_user(email="new@example.com", password="a-long-enough-password")

    html = logged_in(user).get("/styles/suits/").content.decode()

    assert "Navy suit" in html and "create one from your selfies" in html


def test_a_preset_without_templates_says_what_makes_it(business):
    html = Client().get("/styles/f_business_male/").content.decode()

    assert "no templates for this style yet" in html and "Studio headshot, grey</strong> style" in html


def test_a_preset_page_says_lora_avatars_get_it_drawn_where_the_diffusion_engine_is_set_up(
        business, settings, monkeypatch, tmp_path):
    settings.STUDIO_ENGINE = "diffusion"
    tiny_models_install(tmp_path, monkeypatch)
    engine_backend.cache_clear()
    try:
        html = Client().get("/styles/f_business_male/").content.decode()
    finally:
        engine_backend.cache_clear()

    assert "drawn from the style's own scene by text-to-image" in html


def test_on_the_classic_engine_a_preset_page_promises_no_drawing(business):
    html = Client().get("/styles/f_business_male/").content.decode()

    assert "text-to-image" not in html


def test_a_customer_orders_a_preset_made_by_its_stand_in(business, alice):
    response = logged_in(alice.user).post("/create/", {"style": "f_business_male", "avatar": str(alice.avatar.model_id),
                                                       "n": "1", "aspect": "1:1"})

    job = Job.objects.filter(owner=alice.user).latest("id")
    assert response.status_code == 302 and job.input["stand_in_for"] == "f_business_male"
    assert job.input["headshot"]["aspect"] == "1:1"
