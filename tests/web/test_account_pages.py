"""Account and sign-up pages: password rules shown before a failure, revocations asked first (a page
of its own, so without JavaScript too), and the account page's sentences."""
from __future__ import annotations

import pytest
from django.test import Client

from .conftest import logged_in

pytestmark = pytest.mark.django_db


def test_sign_up_shows_the_password_rules_the_field_points_to():
    page = Client().get("/accounts/signup/").content.decode()

    assert 'aria-describedby="id_password1_helptext"' in page
    assert 'id="id_password1_helptext"' in page and "at least 8 characters" in page


def test_revoking_a_credential_asks_first_and_keeps_it_until_confirmed(alice):
    client = logged_in(alice.user)

    page = client.get(f"/account/credentials/{alice.app_id}/revoke/").content.decode()

    assert "Revoke this AppId?" in page and alice.app_id in page and 'method="post"' in page
    assert alice.user.credentials.get().is_active


def test_revoking_a_credential_happens_on_the_confirmation(alice):
    logged_in(alice.user).post(f"/account/credentials/{alice.app_id}/revoke/")

    assert not alice.user.credentials.get().is_active


def test_revoking_an_api_key_asks_first(alice):
    page = logged_in(alice.user).get(f"/account/api-keys/{alice.key_id}/revoke/").content.decode()

    assert "Revoke this API key?" in page
    assert alice.user.api_keys.get().is_active


def test_revoke_confirmation_of_another_customers_key_is_404(alice, bob):
    client = logged_in(bob.user)

    assert client.get(f"/account/api-keys/{alice.key_id}/revoke/").status_code == 404
    assert client.get(f"/account/credentials/{alice.app_id}/revoke/").status_code == 404


def test_account_page_links_to_the_revoke_confirmations_not_a_one_click_form(alice):
    page = logged_in(alice.user).get("/account/").content.decode()

    assert f'href="/account/api-keys/{alice.key_id}/revoke/"' in page
    assert f'action="/account/api-keys/{alice.key_id}/revoke/"' not in page


def test_account_page_says_the_free_trial_carries_on_without_stripe(alice, settings):
    settings.STRIPE_SECRET_KEY = ""

    page = logged_in(alice.user).get("/account/").content.decode()

    assert "the free trial carries on" in page or "the free trial and pay-as-you-go carry on" in page
    assert "the free trial carry on" not in page
