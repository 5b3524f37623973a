"""template_upload: a customer's private template is checked before it is kept."""
from __future__ import annotations

import pytest
from skimage import data

from studio.catalog.models import Template
from studio.catalog.services import TemplateRejected, template_upload

from .conftest import make_user, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user("ana@example.com")


def test_upload_keeps_a_one_face_photo_as_a_private_template(owner, astronaut_png):
    template = template_upload(owner=owner, content=astronaut_png, title="Me in orbit")

    template.refresh_from_db()
    assert (template.owner, template.style, template.face_count, template.is_active) == (owner, None, 1, True)
    assert (template.width, template.height, template.title) == (512, 512, "Me in orbit")
    assert template.image.name.endswith(".jpg")


def test_upload_is_kept_without_the_files_metadata(owner, astronaut_png):
    import io

    from PIL import Image

    tagged = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (59.0, 20.0, 0.0)}  # GPS
    Image.open(io.BytesIO(astronaut_png)).save(tagged, "JPEG", exif=exif)

    template = template_upload(owner=owner, content=tagged.getvalue())

    with template.image.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif() and "exif" not in image.info


def test_upload_of_the_same_file_again_gives_the_same_template(owner, astronaut_png):
    first = template_upload(owner=owner, content=astronaut_png)

    assert template_upload(owner=owner, content=astronaut_png) == first
    assert Template.objects.count() == 1


def test_upload_refuses_a_photo_without_a_face(owner, shared_data):
    with pytest.raises(TemplateRejected, match=r"^No face found; the template must show 1 face\.$"):
        template_upload(owner=owner, content=(shared_data / "no_face" / "coffee.png").read_bytes())
    assert not Template.objects.exists()


def test_upload_refuses_two_faces_where_one_is_expected(owner, shared_data):
    content = (shared_data / "multi_face" / "two_people.jpg").read_bytes()

    with pytest.raises(TemplateRejected, match=r"^Found 2 faces; the template must show 1 face\.$"):
        template_upload(owner=owner, content=content)


def test_upload_keeps_two_faces_where_two_are_expected(owner, shared_data):
    content = (shared_data / "multi_face" / "two_people.jpg").read_bytes()

    assert template_upload(owner=owner, content=content, face_count=2).face_count == 2


def test_upload_refuses_an_image_under_512_px(owner):
    small = png_bytes(data.astronaut(), size=(400, 400))

    with pytest.raises(TemplateRejected, match=r"^The image is 400x400; a template needs at least 512 px"):
        template_upload(owner=owner, content=small)


def test_upload_refuses_a_file_over_the_byte_limit(owner, astronaut_png, settings):
    settings.STUDIO_TEMPLATE_MAX_BYTES = len(astronaut_png) - 1

    with pytest.raises(TemplateRejected, match=r"^The file is 0\.\d MB; a template may be at most 0\.\d MB\.$"):
        template_upload(owner=owner, content=astronaut_png)


def test_upload_limit_defaults_to_10_mb(owner, settings):
    if hasattr(settings, "STUDIO_TEMPLATE_MAX_BYTES"):
        del settings.STUDIO_TEMPLATE_MAX_BYTES

    with pytest.raises(TemplateRejected, match=r"at most 10\.0 MB"):
        template_upload(owner=owner, content=b"\xff\xd8" + bytes(10 * 2**20))


def test_upload_refuses_bytes_that_are_not_an_image(owner):
    with pytest.raises(TemplateRejected, match=r"^The file is not a readable image\.$"):
        template_upload(owner=owner, content=b"%PDF-1.7 not a picture")


def test_upload_refuses_a_face_count_below_one(owner, astronaut_png):
    with pytest.raises(TemplateRejected, match="at least one face"):
        template_upload(owner=owner, content=astronaut_png, face_count=0)
