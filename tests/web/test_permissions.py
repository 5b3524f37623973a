"""Nobody reaches another customer's photos, avatars, portraits, jobs, templates or downloads."""
from __future__ import annotations

import pytest

from studio.portraits.models import Photo

from .conftest import logged_in


def foreign_gets(victim) -> list[str]:
    return [
        f"/avatars/{victim.avatar.model_id}/",
        f"/photos/{victim.pending_photo.id}.json",
        f"/photos/{victim.photo.id}.json",
        f"/jobs/{victim.job.id}/",
        f"/jobs/{victim.job.id}.json",
        f"/portraits/{victim.portrait.id}/",
        f"/portraits/{victim.portrait.id}/download/",
        f"/gallery/?avatar={victim.avatar.model_id}",
        f"/gallery/portraits.zip?avatar={victim.avatar.model_id}",
    ]


def foreign_posts(victim) -> list[tuple[str, dict]]:
    return [
        (f"/photos/{victim.pending_photo.id}/delete/", {}),
        (f"/jobs/{victim.job.id}/cancel/", {}),
        (f"/portraits/{victim.portrait.id}/favourite/", {"favourite": "1"}),
        (f"/portraits/{victim.portrait.id}/delete/", {}),
        ("/create/", {"avatar": str(victim.avatar.model_id), "template": victim.template.id, "n": 1}),
        ("/create/train-free/", {"template": victim.template.id, "n": 1}),
    ]


@pytest.mark.django_db
def test_another_customers_things_are_404_on_every_page(alice, bob):
    client = logged_in(bob.user)
    for url in foreign_gets(alice):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_another_customers_things_are_404_to_every_form_and_unchanged(alice, bob):
    client = logged_in(bob.user)
    for url, data in foreign_posts(alice):
        assert client.post(url, data).status_code == 404, url
    assert Photo.objects.filter(id=alice.pending_photo.id).exists()
    alice.portrait.refresh_from_db()
    assert not alice.portrait.is_favourite
    alice.job.refresh_from_db()
    assert alice.job.state == "running"


@pytest.mark.django_db
def test_revoking_another_customers_credential_or_key_does_nothing(alice, bob):
    client = logged_in(bob.user)
    client.post(f"/account/credentials/{alice.app_id}/revoke/")
    client.post(f"/account/api-keys/{alice.key_id}/revoke/")
    assert alice.user.credentials.get().is_active
    assert alice.user.api_keys.get().is_active


@pytest.mark.django_db
def test_own_things_are_reachable(alice, bob):
    client = logged_in(alice.user)
    for url in foreign_gets(alice):
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, which closes the file


@pytest.mark.django_db
def test_lists_show_only_own_things(alice, bob):
    client = logged_in(bob.user)
    pages = {url: client.get(url).content.decode() for url in ("/avatars/", "/gallery/", "/templates/", "/account/",
                                                                 "/avatars/new/")}
    for url, html in pages.items():
        assert "alice@example.com" not in html, url
        assert f"/portraits/{alice.portrait.id}/" not in html, url
        assert alice.app_id not in html, url
    assert f"/portraits/{bob.portrait.id}/" in pages["/gallery/"]
    assert f'data-photo="{bob.pending_photo.id}"' in pages["/avatars/new/"]
    assert f'data-photo="{alice.pending_photo.id}"' not in pages["/avatars/new/"]


@pytest.mark.django_db
def test_another_customers_private_template_is_not_offered(alice, bob, style):
    html = logged_in(bob.user).get("/templates/").content.decode()
    assert "alice@example.com template" not in html
    assert "bob@example.com template" in html


PRIVATE_PAGES = ["/avatars/", "/avatars/new/", "/gallery/", "/templates/", "/account/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PRIVATE_PAGES)
def test_anonymous_visitor_is_sent_to_log_in(client, style, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_anonymous_visitor_cannot_download(client, alice):
    response = client.get(f"/portraits/{alice.portrait.id}/download/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_public_pages_answer_anonymous_visitors(client, style):
    for url in ("/styles/", "/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"):
        assert client.get(url).status_code == 200, url
