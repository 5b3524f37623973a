"""Every form of the website refuses a POST without the CSRF token."""
from __future__ import annotations

import pytest
from django.test import Client

from .conftest import logged_in, upload


def own_posts(owner) -> list[tuple[str, dict]]:
    return [
        ("/avatars/new/", {"photos": upload()}),
        ("/photos/upload/", {"photo": upload()}),
        (f"/photos/{owner.pending_photo.id}/delete/", {}),
        ("/avatars/train/", {"name": "x"}),
        (f"/jobs/{owner.job.id}/cancel/", {}),
        ("/create/", {"avatar": str(owner.avatar.model_id), "template": owner.template.id, "n": 1}),
        ("/create/train-free/", {"template": owner.template.id, "n": 1, "photos": upload()}),
        ("/templates/", {"title": "t", "image": upload()}),
        ("/idphoto/", {"photo": upload(), "size": "passport", "background": "white"}),
        (f"/portraits/{owner.portrait.id}/favourite/", {"favourite": "1"}),
        (f"/portraits/{owner.portrait.id}/delete/", {}),
        ("/account/credentials/", {"name": "x"}),
        (f"/account/credentials/{owner.app_id}/revoke/", {}),
        ("/account/api-keys/", {"name": "x"}),
        (f"/account/api-keys/{owner.key_id}/revoke/", {}),
        ("/account/delete/", {"email": "alice@example.com"}),
        ("/accounts/logout/", {}),
    ]


@pytest.mark.django_db
def test_every_logged_in_form_refuses_a_post_without_the_token(alice):
    client = logged_in(alice.user, enforce_csrf_checks=True)
    for url, data in own_posts(alice):
        assert client.post(url, data).status_code == 403, url
    alice.portrait.refresh_from_db()
    assert alice.portrait.is_favourite is False
    assert alice.user.credentials.count() == 1
    assert type(alice.user).objects.filter(id=alice.user.id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/", "/accounts/password-reset/"])
def test_account_forms_refuse_a_post_without_the_token(url):
    client = Client(enforce_csrf_checks=True)
    data = {"email": "new@example.com", "username": "new@example.com", "password": "x",
            "password1": "a-long-enough-password", "password2": "a-long-enough-password"}
    assert client.post(url, data).status_code == 403


@pytest.mark.django_db
def test_a_form_posted_with_the_page_token_is_accepted(alice):
    client = logged_in(alice.user, enforce_csrf_checks=True)
    client.get("/gallery/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"/portraits/{alice.portrait.id}/favourite/", {"favourite": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    alice.portrait.refresh_from_db()
    assert alice.portrait.is_favourite is True


@pytest.mark.django_db
def test_the_photo_upload_script_sends_the_token_in_a_header(alice):
    client = logged_in(alice.user, enforce_csrf_checks=True)
    client.get("/avatars/new/")
    token = client.cookies["csrftoken"].value
    response = client.post("/photos/upload/", {"photo": upload()}, headers={"X-CSRFToken": token})
    assert response.status_code == 201
