"""The gallery: thumbnails are small renditions made once, favourites answer in place, the ZIP
buttons show only where there is something to download, and cards say what each portrait is."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from studio.portraits.models import Portrait
from studio.portraits.services.renditions import rendition_name

from .conftest import logged_in

pytestmark = pytest.mark.django_db


def test_thumbnail_is_a_webp_of_the_asked_width_far_smaller_than_the_portrait(alice):
    response = logged_in(alice.user).get(f"/portraits/{alice.portrait.id}/w320.webp")

    body = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(body))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert image.format == "WEBP" and image.width == 320
    assert len(body) * 4 < alice.portrait.image.size


def test_thumbnail_is_made_once_and_kept_in_storage(alice):
    client = logged_in(alice.user)
    name = rendition_name(name=alice.portrait.image.name, width=640)

    b"".join(client.get(f"/portraits/{alice.portrait.id}/w640.webp").streaming_content)
    made = default_storage.get_modified_time(name)
    b"".join(client.get(f"/portraits/{alice.portrait.id}/w640.webp").streaming_content)

    assert default_storage.get_modified_time(name) == made


def test_thumbnail_of_another_customers_portrait_is_404(alice, bob):
    assert logged_in(alice.user).get(f"/portraits/{bob.portrait.id}/w320.webp").status_code == 404


def test_thumbnail_of_a_size_not_offered_is_404(alice):
    assert logged_in(alice.user).get(f"/portraits/{alice.portrait.id}/w5000.webp").status_code == 404


def test_thumbnail_of_a_portrait_whose_file_is_gone_is_404(alice):
    default_storage.delete(alice.portrait.image.name)

    assert logged_in(alice.user).get(f"/portraits/{alice.portrait.id}/w320.webp").status_code == 404


def test_deleting_a_portrait_deletes_its_renditions(alice):
    client = logged_in(alice.user)
    b"".join(client.get(f"/portraits/{alice.portrait.id}/w320.webp").streaming_content)
    name = rendition_name(name=alice.portrait.image.name, width=320)
    assert default_storage.exists(name)

    client.post(f"/portraits/{alice.portrait.id}/delete/")

    assert not default_storage.exists(name)


def test_gallery_cards_use_the_thumbnails_lazily_with_a_srcset(alice):
    page = logged_in(alice.user).get("/gallery/").content.decode()

    assert f'srcset="/portraits/{alice.portrait.id}/w320.webp 320w, /portraits/{alice.portrait.id}/w640.webp 640w"' in page
    assert 'loading="lazy"' in page
    assert alice.portrait.image.name.rsplit("/", 1)[1] not in page  # no full-size file as a thumbnail


def test_gallery_cards_name_the_style_and_say_what_the_image_shows(alice):
    page = logged_in(alice.user).get("/gallery/").content.decode()

    assert '<p class="style-name">Studio demo</p>' in page
    assert f'alt="Portrait of alice@example.com avatar in Studio demo, {alice.portrait.created_at:%-d %b %Y}"' in page


def test_favourite_answers_json_for_the_page_script(alice):
    response = logged_in(alice.user).post(f"/portraits/{alice.portrait.id}/favourite/", {"favourite": "1"},
                                          headers={"Accept": "application/json"})

    assert response.json() == {"favourite": True, "has_favourites": True}
    assert Portrait.objects.get(id=alice.portrait.id).is_favourite


def test_favourite_without_script_goes_back_to_the_same_card(alice):
    response = logged_in(alice.user).post(f"/portraits/{alice.portrait.id}/favourite/",
                                          {"favourite": "1", "next": "/gallery/?style=studio_demo"})

    assert response.status_code == 302
    assert response["Location"] == f"/gallery/?style=studio_demo#portrait-{alice.portrait.id}"


def test_empty_gallery_shows_no_zip_button(alice):
    Portrait.objects.filter(owner=alice.user).delete()

    page = logged_in(alice.user).get("/gallery/").content.decode()

    assert "as ZIP" not in page and "No portraits here yet" in page


def test_favourites_zip_button_is_hidden_without_favourites(alice):
    Portrait.objects.filter(owner=alice.user).update(is_favourite=False)

    page = logged_in(alice.user).get("/gallery/").content.decode()

    assert 'id="zip-favourites" hidden' in page


def test_zip_of_nothing_comes_back_to_the_gallery_with_a_word_not_a_404(alice):
    Portrait.objects.filter(owner=alice.user).update(is_favourite=False)
    client = logged_in(alice.user)

    response = client.get("/gallery/portraits.zip?favourites=1", follow=True)

    assert response.redirect_chain == [("/gallery/?favourites=1", 302)]
    assert "no portraits to download here yet" in response.content.decode()


def test_new_avatar_page_shows_photos_as_thumbnails_not_their_full_files(alice):
    page = logged_in(alice.user).get("/avatars/new/").content.decode()

    assert f'src="/photos/{alice.pending_photo.id}/w320.webp"' in page


def test_photo_thumbnail_of_another_customer_is_404(alice, bob):
    assert logged_in(alice.user).get(f"/photos/{bob.pending_photo.id}/w320.webp").status_code == 404


def test_removing_a_photo_deletes_its_thumbnail(alice):
    client = logged_in(alice.user)
    response = client.get(f"/photos/{alice.pending_photo.id}/w320.webp")
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).width == 320
    name = rendition_name(name=alice.pending_photo.image.name, width=320)

    client.post(f"/photos/{alice.pending_photo.id}/delete/")

    assert not default_storage.exists(name)
