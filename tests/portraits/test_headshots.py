"""Headshot styles: ordered from an avatar with no template, and the template presets that they
make while no pack has brought templates (the order and its job say which made it)."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from engine.errors import EngineError, ErrorCode
from jobs.models import JobKind
from studio.catalog.models import Style, StyleKind, Template
from studio.portraits.models import Avatar, Photo
from studio.portraits.services.ordering import OrderRefused, portrait_order, portrait_order_check
from tests.images import plain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]



def _jpeg() -> ContentFile:
    return ContentFile(plain())


@pytest.fixture
def office() -> Style:
    return Style.objects.create(key="headshot_office", title="Office headshot", kind=StyleKind.HEADSHOT,
                                parameters={"backdrop": "office", "aspect": "4:5"})


@pytest.fixture
def preset(office) -> Style:
    return Style.objects.create(key="f_business_male", title="Business (man)", fallback=office)


def _avatar(owner, photos: int = 3) -> Avatar:
    avatar = Avatar.objects.create(owner=owner, status="ready")
    for position in range(photos):
        photo = Photo(owner=owner, avatar=avatar, position=position, check_result={"code": 1},
                      is_reference=position == 0)
        photo.image.save("photo.jpg", _jpeg(), save=True)
    return avatar


def _order(owner, style, **given):
    return portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=style, source="web", **given)


def test_headshot_style_makes_a_create_job_from_the_avatars_photos(owner, office):
    job = _order(owner, office, n=2)

    assert job.kind == JobKind.CREATE and job.input["n"] == 2
    assert job.input["headshot"] == {"backdrop": "office", "aspect": "4:5", "style": "headshot_office",
                                     "title": "Office headshot"}
    assert len(job.input["headshot_photos"]) == 3 and "template" not in job.input


def test_headshots_are_capped_at_one_per_photo_and_priced_so(owner, office):
    job = portrait_order(owner=owner, model_ids=[str(_avatar(owner, photos=2).model_id)], style=office, n=4,
                         source="web")

    assert (job.input["n"], job.input["requested"]) == (2, 4)


def test_customer_chooses_the_square_crop(owner, office):
    job = _order(owner, office, options={"aspect": "1:1"})

    assert job.input["headshot"]["aspect"] == "1:1"


@pytest.mark.parametrize("options", [{"aspect": "16:9"}, {"colour": "navy"}, {"more_like_me": 0.8}])
def test_a_wrong_headshot_option_is_refused_before_any_job(owner, office, options):
    with pytest.raises(EngineError) as refused:
        portrait_order_check(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=office, options=options)

    assert refused.value.code == ErrorCode.INVALID_OPTION


def test_an_unknown_backdrop_in_a_style_is_refused(owner):
    style = Style.objects.create(key="odd", title="Odd", kind=StyleKind.HEADSHOT, parameters={"backdrop": "moon"})

    with pytest.raises(EngineError, match="studio_grey"):
        _order(owner, style)


def test_a_template_preset_without_templates_is_made_by_its_headshot(owner, preset, office):
    job = _order(owner, preset, n=1)

    assert job.input["stand_in_for"] == "f_business_male" and job.input["headshot"]["style"] == "headshot_office"
    assert job.input["style_id"] == preset.id  # the gallery shows the style asked for


def test_a_template_preset_with_a_template_uses_it(owner, preset):
    template = Template(style=preset, title="Suit")
    template.image.save("suit.jpg", _jpeg(), save=True)

    job = _order(owner, preset)

    assert job.input["template_id"] == template.id and "headshot" not in job.input


def test_a_template_style_without_templates_or_fallback_is_refused(owner):
    style = Style.objects.create(key="empty", title="Empty")

    with pytest.raises(OrderRefused) as refused:
        _order(owner, style)

    assert refused.value.code == "style_without_templates"


def test_a_headshot_needs_one_avatar(owner, office):
    with pytest.raises(OrderRefused) as refused:
        portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id), str(_avatar(owner).model_id)],
                       style=office, source="web")

    assert refused.value.code == "style_kind"
