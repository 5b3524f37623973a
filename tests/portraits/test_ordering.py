"""The ordering service: template choice, option merging, readiness, then one job."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from accounts.services import user_get_or_create
from engine.errors import EngineError, ErrorCode
from jobs.models import Job, JobKind
from studio.catalog.models import Style, StyleKind, Template
from studio.portraits.models import Avatar, Photo
from studio.portraits.services.jobs import job_avatar
from studio.portraits.services.ordering import OrderRefused, portrait_order
from tests.images import plain

pytestmark = pytest.mark.django_db



def _jpeg() -> ContentFile:
    return ContentFile(plain())


def _style(key: str, *, kind: str = StyleKind.TEMPLATE, parameters: dict | None = None, templates: int = 0) -> Style:
    style = Style.objects.create(key=key, title=key, kind=kind, parameters=parameters or {})
    for number in range(templates):
        template = Template(style=style, title=f"{key} {number}")
        template.image.save(f"{key}{number}.jpg", _jpeg(), save=True)
    return style


def _avatar(owner, status: str = "ready") -> Avatar:
    return Avatar.objects.create(owner=owner, status=status)


def _photo(owner, **fields) -> Photo:
    photo = Photo(owner=owner, **fields)
    photo.image.save("photo.jpg", _jpeg(), save=True)
    return photo


def test_style_alone_spreads_n_portraits_over_its_templates(owner):
    style = _style("three_looks", templates=3)
    first, second, _ = Template.objects.filter(style=style).order_by("id")

    job = portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=style, n=2, source="web")

    assert (job.input["template_id"], job.input["n"]) == (first.id, 2)
    assert job.input["more_templates"] == [{"template": second.image.name, "template_id": second.id}]


def test_training_avatar_is_refused_as_not_ready(owner):
    avatar = _avatar(owner, status="training")

    with pytest.raises(OrderRefused) as refused:
        portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=_style("s", templates=1), source="web")

    assert (refused.value.code, refused.value.status) == ("avatar_not_ready", "training")
    assert not Job.objects.exists()


def test_someone_elses_avatar_reads_as_not_found(owner):
    stranger = user_get_or_create(email="stranger@example.com")[0]
    avatar = _avatar(stranger)

    with pytest.raises(OrderRefused) as refused:
        portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=_style("s", templates=1), source="web")

    assert refused.value.code == "avatar_not_found"


def test_style_parameters_merge_under_the_requests_options(owner):
    style = _style("soft", parameters={"more_like_me": 0.7, "sharp_ratio": 0.2}, templates=1)

    job = portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=style,
                         options={"more_like_me": 0.3}, source="web")

    assert job.input["options"] == {"more_like_me": 0.3, "sharp_ratio": 0.2}


def test_invalid_option_is_refused_before_any_job(owner):
    with pytest.raises(EngineError) as refused:
        portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=_style("s", templates=1),
                       options={"more_like_me": 3}, source="web")

    assert refused.value.code == ErrorCode.INVALID_OPTION
    assert not Job.objects.exists()


def test_template_row_brings_its_style(owner):
    style = _style("business", templates=1)
    template = Template.objects.get(style=style)

    job = portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], template=template, source="web")

    assert (job.input["template"], job.input["template_id"], job.input["style_id"]) == (
        template.image.name, template.id, style.id)


def test_template_of_another_style_is_refused(owner):
    other = Template.objects.get(style=_style("other", templates=1))

    with pytest.raises(OrderRefused, match="not one of the style") as refused:
        portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=_style("mine", templates=1),
                       template=other, source="web")

    assert refused.value.code == "template_not_in_style"


def test_style_without_templates_is_refused_with_the_reason(owner):
    with pytest.raises(OrderRefused, match="has no templates") as refused:
        portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=_style("empty"), source="web")

    assert refused.value.code == "style_without_templates"


def test_id_photo_style_is_made_for_the_avatar_in_its_size(owner):
    style = _style("id_us", kind=StyleKind.IDPHOTO, parameters={"size": "us", "background": "white"})
    avatar = _avatar(owner)

    job = portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=style, source="web")

    assert (job.kind, job.input["size"], job.input["style_id"], job_avatar(job)) == (JobKind.IDPHOTO, "us", style.id, avatar)


def test_id_photo_style_lists_the_avatars_passed_photos_best_first_and_prices_what_it_can_make(owner):
    from billing.pricing import job_charge

    style = _style("id_blue", kind=StyleKind.IDPHOTO, parameters={"size": "1inch", "background": "blue"})
    avatar = _avatar(owner)
    weaker = _photo(owner, avatar=avatar, position=0, check_result={"code": 1, "score": 0.2})
    _photo(owner, avatar=avatar, position=1, check_result={"code": 6, "score": 0.0})
    reference = _photo(owner, avatar=avatar, position=2, is_reference=True, check_result={"code": 1, "score": 0.5})
    better = _photo(owner, avatar=avatar, position=3, check_result={"code": 1, "score": 0.8})

    job = portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=style, n=4, source="web")

    assert job.input["photos"] == [reference.id, better.id, weaker.id]
    assert (job.input["n"], job.input["requested"]) == (3, 4)
    assert job_charge(kind=job.kind, payload=job.input).images == 3


def test_stylize_style_starts_from_the_avatars_reference_photo(owner):
    style = _style("ink", kind=StyleKind.STYLIZE, parameters={"style_index": 1})
    avatar = _avatar(owner)
    reference = _photo(owner, avatar=avatar, is_reference=True)

    job = portrait_order(owner=owner, model_ids=[str(avatar.model_id)], style=style, source="web")

    assert (job.kind, job.input["image"], job.input["style_index"]) == (JobKind.STYLIZE, reference.image.name, 1)


def test_id_photo_style_with_a_template_is_refused_as_style_kind(owner):
    style = _style("id_eu", kind=StyleKind.IDPHOTO)

    with pytest.raises(OrderRefused) as refused:
        portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], style=style,
                       template_file="inputs/t.jpg", source="web")

    assert refused.value.code == "style_kind"


def test_train_free_takes_at_most_five_photos(owner):
    photos = [_photo(owner) for _ in range(6)]

    with pytest.raises(EngineError, match="1 to 5 photos"):
        portrait_order(owner=owner, photos=photos, template_file="inputs/t.jpg", source="web")

    assert not Job.objects.exists()


def test_train_free_order_keeps_its_photos_in_order(owner):
    photos = [_photo(owner) for _ in range(2)]

    job = portrait_order(owner=owner, photos=photos, template_file="inputs/t.jpg", n=2, source="api")

    assert (job.input["photos"], job.input["model_ids"], job.input["template"]) == (
        [photos[0].id, photos[1].id], [], "inputs/t.jpg")


def test_avatars_and_photos_together_are_refused(owner):
    with pytest.raises(OrderRefused) as refused:
        portrait_order(owner=owner, model_ids=[str(_avatar(owner).model_id)], photos=[_photo(owner)],
                       template_file="inputs/t.jpg", source="web")

    assert refused.value.code == "person"
