"""A preset style without templates, on a studio whose diffusion engine is set up (its weights
verified in STUDIO_MODELS_DIR, here tiny random ones): an avatar the diffusion engine trained is
drawn by text-to-image from the preset's prompt; elsewhere the preset's headshot stand-in makes it."""
from __future__ import annotations

import pytest

from engine.options import T2I_TEMPLATE
from studio.catalog.models import Style, StyleKind
from studio.lib.engine import engine_backend
from studio.portraits.models import Avatar, AvatarStatus
from studio.portraits.services.ordering import OrderRefused, portrait_order_check, portrait_order_place
from tests.diffusion_models import tiny_models_install

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]


@pytest.fixture
def preset() -> Style:
    grey = Style.objects.create(key="headshot_studio_grey", title="Studio headshot, grey", kind=StyleKind.HEADSHOT,
                                parameters={"backdrop": "studio_grey", "aspect": "4:5"})
    return Style.objects.create(key="f_business_female", title="Business (woman)", fallback=grey)


@pytest.fixture
def diffusion_set_up(settings, monkeypatch, tmp_path):
    settings.STUDIO_ENGINE = "diffusion"
    tiny_models_install(tmp_path, monkeypatch)
    engine_backend.cache_clear()
    yield
    engine_backend.cache_clear()


def _avatar(owner, backend: str) -> Avatar:
    # As a training on that backend leaves it (the order reads only the row).
    return Avatar.objects.create(owner=owner, name="ann", status=AvatarStatus.READY, backend=backend,
                                 artifact=f"avatars/{backend}")


def test_a_lora_avatar_gets_the_preset_drawn_from_its_prompt(owner, preset, diffusion_set_up):
    avatar = _avatar(owner, "diffusion")

    order = portrait_order_check(owner=owner, model_ids=[str(avatar.model_id)], style=preset, n=2)
    job = portrait_order_place(order=order, source="web")

    assert order.generated and order.stand_in_for is None and order.style == preset
    assert job.input["template"] == T2I_TEMPLATE and job.input["style_id"] == preset.id
    assert "business" in job.input["options"]["t2i_prompt"] and job.input["options"]["sex"] == "female"
    assert job.input["n"] == 2


def test_the_requests_options_win_over_the_presets(owner, preset, diffusion_set_up):
    avatar = _avatar(owner, "diffusion")

    order = portrait_order_check(owner=owner, model_ids=[str(avatar.model_id)], style=preset,
                                 options={"t2i_prompt": "a portrait on a beach"})

    assert order.options["t2i_prompt"] == "a portrait on a beach"


def test_an_avatar_the_classic_engine_trained_gets_the_stand_in(owner, preset, diffusion_set_up):
    avatar = _avatar(owner, "classic")

    order = portrait_order_check(owner=owner, model_ids=[str(avatar.model_id)], style=preset)

    assert not order.generated and order.stand_in_for == preset and order.style.kind == StyleKind.HEADSHOT


def test_the_classic_engine_gives_the_stand_in(owner, preset):
    avatar = _avatar(owner, "classic")

    order = portrait_order_check(owner=owner, model_ids=[str(avatar.model_id)], style=preset)

    assert not order.generated and order.stand_in_for == preset


def test_the_stand_ins_framing_options_are_left_out_of_a_drawn_preset(owner, preset, diffusion_set_up):
    avatar = _avatar(owner, "diffusion")

    # What the website's preset form sends (its stand-in's aspect and backdrop colour).
    order = portrait_order_check(owner=owner, model_ids=[str(avatar.model_id)], style=preset,
                                 options={"aspect": "1:1", "colour": "#1f3a5f"})

    assert order.generated and "aspect" not in order.options and "colour" not in order.options


def test_two_avatars_are_not_drawn_into_one_preset(owner, preset, diffusion_set_up):
    avatars = [str(_avatar(owner, "diffusion").model_id), str(_avatar(owner, "diffusion").model_id)]

    with pytest.raises(OrderRefused) as refused:  # as the stand-in refuses them: a preset draws one person
        portrait_order_check(owner=owner, model_ids=avatars, style=preset)

    assert refused.value.code == "style_kind"
