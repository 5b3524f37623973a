"""Stylize and ID-photo jobs, run through the state machine as a worker would."""
from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from skimage import data

from engine.errors import EngineError
from jobs.models import JobState
from jobs.services import job_run
from studio.portraits.models import Photo, Portrait
from studio.portraits.services.avatars import avatar_train_submit
from studio.portraits.services.styling import idphoto_submit, stylization_submit

pytestmark = pytest.mark.django_db



@pytest.fixture
def astronaut() -> str:
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, "JPEG", quality=92)
    return default_storage.save("inputs/test/astronaut.jpg", ContentFile(buffer.getvalue()))


def _image(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_stylize_job_puts_a_1536_px_portrait_in_the_gallery(owner, astronaut):
    job = job_run(job_id=stylization_submit(owner=owner, image=astronaut, style_index=0).id)

    assert job.state == JobState.SUCCEEDED
    portrait = Portrait.objects.get(job=job)
    assert min(portrait.width, portrait.height) == 1536
    assert portrait.identity_distance is not None and portrait.identity_distance < 0.6
    assert job.result["style_key"] == "pencil_sketch"


def test_stylize_with_reference_style(owner, astronaut):
    buffer = io.BytesIO()
    Image.fromarray(data.coffee()).save(buffer, "JPEG")
    reference = default_storage.save("inputs/test/coffee.jpg", ContentFile(buffer.getvalue()))

    job = job_run(job_id=stylization_submit(owner=owner, image=astronaut, style_index=-1, reference=reference).id)

    assert job.state == JobState.SUCCEEDED


@pytest.mark.parametrize("index", [8, 99, -2])
def test_stylize_refuses_unknown_index_before_any_job(owner, astronaut, index):
    with pytest.raises(EngineError, match="style_index"):
        stylization_submit(owner=owner, image=astronaut, style_index=index)


def test_stylize_minus_one_without_reference_is_refused(owner, astronaut):
    with pytest.raises(EngineError, match="reference"):
        stylization_submit(owner=owner, image=astronaut, style_index=-1)


def test_idphoto_job_makes_a_300_dpi_passport_photo(owner, astronaut):
    job = job_run(job_id=idphoto_submit(owner=owner, photo=astronaut, size="passport", background="blue", draft=True).id)

    assert job.state == JobState.SUCCEEDED
    image = _image(job.result["images"][0]["name"])
    assert image.size == (413, 531) and round(image.info["dpi"][0]) == 300


@pytest.mark.parametrize(("size", "background"), [("3inch", "white"), ("passport", "purple")])
def test_idphoto_refuses_unknown_size_or_colour_before_any_job(owner, astronaut, size, background):
    with pytest.raises(EngineError):
        idphoto_submit(owner=owner, photo=astronaut, size=size, background=background)


def test_idphoto_of_a_photo_without_face_fails_with_the_engines_reason(owner):
    buffer = io.BytesIO()
    Image.fromarray(data.coffee()).save(buffer, "JPEG")
    coffee = default_storage.save("inputs/test/coffee.jpg", ContentFile(buffer.getvalue()))

    job = job_run(job_id=idphoto_submit(owner=owner, photo=coffee).id)

    assert job.state == JobState.FAILED and job.error_code == "no_face"
    assert Portrait.objects.count() == 0


def test_idphoto_of_an_avatar_is_made_from_its_reference_photo(owner, astronaut):
    photo = Photo(owner=owner)
    with default_storage.open(astronaut, "rb") as handle:
        photo.image.save("astronaut.jpg", ContentFile(handle.read()), save=True)
    avatar, training = avatar_train_submit(owner=owner, photos=[photo])
    job_run(job_id=training.id)

    job = job_run(job_id=idphoto_submit(owner=owner, avatar=avatar, size="us", draft=True).id)

    assert Photo.objects.get(id=photo.id).is_reference
    assert job.state == JobState.SUCCEEDED
    assert list(Portrait.objects.get(job=job).avatars.all()) == [avatar]


def test_create_spreads_n_portraits_over_the_styles_templates(owner, astronaut):
    from studio.catalog.models import Style, Template
    from studio.portraits.services.portraits import portrait_create_submit

    photo = Photo(owner=owner)
    with default_storage.open(astronaut, "rb") as handle:
        content = handle.read()
    photo.image.save("astronaut.jpg", ContentFile(content), save=True)
    avatar, training = avatar_train_submit(owner=owner, photos=[photo])
    job_run(job_id=training.id)
    style = Style.objects.create(key="two_looks", title="Two looks")
    mirrored = io.BytesIO()
    Image.fromarray(data.astronaut()[:, ::-1].copy()).save(mirrored, "JPEG")
    templates = []
    for name, image in (("a.jpg", content), ("b.jpg", mirrored.getvalue())):
        template = Template(style=style, title=name)
        template.image.save(name, ContentFile(image), save=True)
        templates.append(template)
    avatar.refresh_from_db()

    job = job_run(job_id=portrait_create_submit(
        owner=owner, avatars=[avatar], template=templates[0].image.name, template_id=templates[0].id,
        more_templates=templates[1:], style_id=style.id, n=3).id)

    assert job.state == JobState.SUCCEEDED, job.error_message
    portraits = list(Portrait.objects.filter(job=job).order_by("rank"))
    # The avatar has one photo: each template gives one distinct portrait, not the two asked of the first.
    assert sorted(p.template_id for p in portraits) == sorted([templates[0].id, templates[1].id])
    assert job.result["note"] == "2 of 3 made: the avatar has only 1 distinct reference face."
    distances = [p.identity_distance for p in portraits]
    assert distances == sorted(distances)
